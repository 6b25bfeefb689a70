"""codi's stack verdicts against the corpus manifest's hand-checked `stack` labels.

The corpus labels images by what they package: a language, `c` (C/C++ built
from source), `ops` (server and tooling images that package software without
building an application: nginx, postgres, redis, base images) or `other`.
codi's verdicts map onto them as follows:

- a language verdict agrees with the same label;
- `generic` (no application stack: native builds, server software, bare
  base images) agrees with `ops`, `c` and `other`;
- `static` (a web server serving files copied into its document root)
  agrees with `ops`, and with `node` when node evidence shows a front-end
  built with node produced those files (the corpus labels such an image by
  its build).

Every disagreement must be listed, with a reason, in
`tests/data/stack_disagreements.yml`; a listed file that now agrees fails
too, so the list stays true.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from codi.pipeline.optimize.model import StackReport
from codi.pipeline.optimize.stack import detect_stack
from tests.corpus import corpus_files, manifest, read

DISAGREEMENTS = Path(__file__).parent / "data" / "stack_disagreements.yml"
TARGET = 0.95
_NO_APPLICATION_LABELS = frozenset({"ops", "c", "other"})


def agrees(report: StackReport, label: str) -> bool:
    """Whether codi's verdict means the corpus label (see the module docstring for the mapping)."""
    if report.stack == "generic":
        return label in _NO_APPLICATION_LABELS
    if report.stack == "static":
        return label == "ops" or (label == "node" and any(item.stack == "node" for item in report.evidence))
    return report.stack == label


def _verdicts() -> dict[str, tuple[str, str]]:
    """(label, codi verdict) per labelled corpus file."""
    labels = {entry["file"]: entry["stack"] for entry in manifest() if entry.get("stack")}
    out = {}
    for path in corpus_files():
        if path.name in labels:
            report = detect_stack(read(path))
            out[path.name] = (labels[path.name], report.stack if not agrees(report, labels[path.name]) else "")
    return out


def _listed() -> dict[str, dict]:
    entries = YAML(typ="safe").load(DISAGREEMENTS.read_text()) or []
    listed = {}
    for entry in entries:
        assert entry.get("reason"), f"disagreement without a reason: {entry}"
        listed[entry["file"]] = entry
    return listed


def test_every_stack_disagreement_is_explained():
    verdicts = _verdicts()
    found = {name: (label, codi) for name, (label, codi) in verdicts.items() if codi}
    listed = _listed()
    unexplained = sorted(
        f"{name}: corpus {label}, codi {codi}"
        for name, (label, codi) in found.items()
        if name not in listed or (listed[name]["label"], listed[name]["codi"]) != (label, codi)
    )
    stale = sorted(name for name in listed if name not in found)
    assert not unexplained, "disagreements not listed (or listed with other verdicts):\n" + "\n".join(unexplained)
    assert not stale, "listed disagreements that now agree:\n" + "\n".join(stale)


def test_stack_agreement_meets_target():
    verdicts = _verdicts()
    assert len(verdicts) == len(manifest()), "every manifest file is labelled and present"
    agreement = sum(1 for _, codi in verdicts.values() if not codi) / len(verdicts)
    assert agreement >= TARGET, f"stack agreement {agreement:.1%} < {TARGET:.0%}"
