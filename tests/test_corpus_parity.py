"""codi's DL findings against hadolint 2.15.1's on the whole corpus.

Every disagreement must be listed, with a reason, in
`tests/data/hadolint_disagreements.yml`; a listed case that no longer
disagrees fails too, so the list stays true.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from codi.pipeline.agreement import compare, totals
from codi.pipeline.lint import SourceFile, lint_files
from tests.corpus import corpus_files, hadolint_baseline, read

ALLOW_LIST = Path(__file__).parent / "data" / "hadolint_disagreements.yml"


def _keys(pairs):
    return [(name, line, code) for name, line, code in pairs if code.startswith("DL")]


def _disagreements(skip_unparsed_by_hadolint: bool = False):
    """Per-code agreement; optionally without the files hadolint could not parse (its only finding is DL1000)."""
    paths = corpus_files()
    if skip_unparsed_by_hadolint:
        baseline = hadolint_baseline()
        paths = [p for p in paths if not any(item["code"] == "DL1000" for item in baseline[p.name])]
    results = lint_files([SourceFile(p.name, read(p)) for p in paths])
    codi = _keys((r.path, f.line, f.code) for r in results for f in r.findings)
    baseline = hadolint_baseline()
    peer = _keys((p.name, item["line"], item["code"]) for p in paths for item in baseline[p.name])
    return compare(codi, peer)


def _allowed() -> dict[tuple[str, str, int, str], str]:
    entries = YAML(typ="safe").load(ALLOW_LIST.read_text()) or []
    allowed = {}
    for entry in entries:
        assert entry.get("reason"), f"allow-list entry without a reason: {entry}"
        key = (entry["side"], entry["file"], int(entry["line"]), entry["code"])
        allowed[key] = entry["reason"]
    return allowed


def test_every_disagreement_with_hadolint_is_explained():
    agreements = _disagreements()
    found = set()
    for entry in agreements.values():
        found |= {("codi-only", *key) for key in entry.only_codi}
        found |= {("hadolint-only", *key) for key in entry.only_peer}
    allowed = _allowed()
    unexplained = sorted(found - allowed.keys())
    stale = sorted(allowed.keys() - found)
    assert not unexplained, "disagreements not in the allow-list:\n" + "\n".join(map(str, unexplained))
    assert not stale, "allow-list entries that no longer disagree:\n" + "\n".join(map(str, stale))


def test_agreement_meets_target_where_hadolint_parsed_the_file():
    """Where hadolint failed to parse a file it reported nothing, so its silence there is not a verdict."""
    total = totals(_disagreements(skip_unparsed_by_hadolint=True))
    assert total.recall >= 0.97, f"recall {total.recall:.1%}"
    assert total.precision >= 0.97, f"precision {total.precision:.1%}"
