"""Agreement between two linters' findings, keyed by (file, line, code).

Used by the corpus test and by `bench/lint_vs_hadolint.py`; pure data in, data out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

Key = tuple[str, int, str]


@dataclass
class CodeAgreement:
    code: str
    both: int = 0
    only_codi: list[Key] = field(default_factory=list)
    only_peer: list[Key] = field(default_factory=list)

    @property
    def recall(self) -> float:
        total = self.both + len(self.only_peer)
        return self.both / total if total else 1.0

    @property
    def precision(self) -> float:
        total = self.both + len(self.only_codi)
        return self.both / total if total else 1.0


def compare(codi: list[Key], peer: list[Key]) -> dict[str, CodeAgreement]:
    """Per-code agreement; each key is matched at most as often as it occurs on each side."""
    codi_counts, peer_counts = Counter(codi), Counter(peer)
    out: dict[str, CodeAgreement] = {}
    for key in codi_counts.keys() | peer_counts.keys():
        entry = out.setdefault(key[2], CodeAgreement(key[2]))
        common = min(codi_counts[key], peer_counts[key])
        entry.both += common
        entry.only_codi.extend([key] * (codi_counts[key] - common))
        entry.only_peer.extend([key] * (peer_counts[key] - common))
    return dict(sorted(out.items()))


def totals(agreements: dict[str, CodeAgreement]) -> CodeAgreement:
    total = CodeAgreement("all")
    for entry in agreements.values():
        total.both += entry.both
        total.only_codi.extend(entry.only_codi)
        total.only_peer.extend(entry.only_peer)
    return total
