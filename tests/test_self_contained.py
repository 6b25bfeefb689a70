"""A fresh clone passes its tests: nothing in the suite or in codi reads a path beside the repository.

The Dockerfile corpus is vendored in tests/data/corpus; GitHub's reference data is fetched from npm by
scripts/github-fixtures. Benchmarks (bench/) may still read the shared folder beside the repository; tests,
codi and its scripts may not.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from tests.corpus import CORPUS, corpus_files, hadolint_baseline, manifest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("tests", "codi", "scripts", ".ci")

SIBLING = "".join(("sha", "red"))
"""The name of the folder beside the repository, spelled in parts (with every path below made from it): this
file only names it as the detector's pattern and input and reads nothing there, so it holds no literal path
that a scan would take for a read."""
_LITERAL = re.compile(rf"\.\./{SIBLING}\b|/work/{SIBLING}\b|/\s*[\"']{SIBLING}[\"']")
_PARENTS = re.compile(r"__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
_PARENT_CHAIN = re.compile(r"__file__\)(?:\.resolve\(\))?((?:\.parent\b(?!s))+)")
_ROOT_PARENT = re.compile(r"\bROOT\.parent\b(?!s)|\bROOT\s*/\s*[\"']\.\.[\"']")


def beside_repo_uses(text: str, depth: int) -> list[int]:
    """Lines of `text` (a file `depth` path parts below the repository root) that reach the root's parent."""
    lines = []
    for number, line in enumerate(text.splitlines(), 1):
        up = [int(index) for index in _PARENTS.findall(line)]
        up += [chain.count(".parent") - 1 for chain in _PARENT_CHAIN.findall(line)]
        if _LITERAL.search(line) or _ROOT_PARENT.search(line) or any(index >= depth for index in up):
            lines.append(number)
    return lines


def checked_files() -> list[Path]:
    files = []
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and (path.suffix == ".py" or path.parent.name in ("scripts", ".ci")):
                files.append(path)
    return files


def test_no_test_script_or_codi_module_reads_beside_the_repository():
    files = checked_files()
    assert ROOT / "tests" / "corpus.py" in files and ROOT / "scripts" / "test" in files
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in files
        if path != Path(__file__).resolve()
        for line in beside_repo_uses(path.read_text(errors="replace"), len(path.relative_to(ROOT).parts))
    ]
    assert offenders == []


BESIDE = "/".join(("..", SIBLING))
"""The folder beside the repository as a shell line names it."""


def test_the_detector_flags_the_paths_the_suite_used_to_read():
    # Each line as it stood in the suite before the corpus was vendored and GitHub's data fetched from npm.
    assert beside_repo_uses(f'SHARED = ROOT.parent / "{SIBLING}"\n', 3) == [1]
    assert beside_repo_uses(f'SHARED_GITHUB = Path(__file__).resolve().parents[3] / "{SIBLING}" / "github"', 3) == [1]
    assert beside_repo_uses('CORPUS = Path(__file__).resolve().parents[2] / "corpus"', 2) == [1]
    assert beside_repo_uses("base = Path(__file__).parent.parent.parent / 'x'", 2) == [1]
    assert beside_repo_uses("cat " + BESIDE + "/github/README.md", 2) == [1]
    # Within the repository: fine.
    assert beside_repo_uses('ROOT = Path(__file__).resolve().parents[2]\nLOCAL = ROOT / "data"', 3) == []
    assert beside_repo_uses("here = Path(__file__).parent.parent", 2) == []
    assert beside_repo_uses("model = LocalModel.shared(path)", 3) == []


def test_the_vendored_corpus_is_byte_for_byte_what_its_manifest_names():
    assert CORPUS == ROOT / "tests" / "data" / "corpus"
    entries = manifest()
    assert [path.name for path in corpus_files()] == sorted(entry["file"] for entry in entries)
    changed = [
        entry["file"]
        for entry in entries
        if hashlib.sha256((CORPUS / "dockerfiles" / entry["file"]).read_bytes()).hexdigest() != entry["sha256"]
    ]
    assert changed == []
    assert all(entry["repo"] and entry["path"] and re.fullmatch(r"[0-9a-f]{40}", entry["commit"]) for entry in entries)
    assert sorted(hadolint_baseline()) == sorted(entry["file"] for entry in entries)
