"""Safe fixes keep Dockerfiles building, on the real engine (issue 11, item 8).

Each file of tests/data/fix_safety holds a cross-instruction hazard (apt update and install split over
RUNs, a child stage installing from its parent's lists, an offline yarn install after the cache…). It
must build as written, and again after `codi fix` (safe fixes only). The files install from Debian,
PyPI and npm, so the builds use the host's network.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codi.pipeline.lint import fix_text
from codi.worker.build import BuildFailed, DockerBuildRunner

FILES = sorted((Path(__file__).resolve().parents[1] / "data" / "fix_safety").glob("*.Dockerfile"))
MB = 1024 * 1024


def _build(runner: DockerBuildRunner, text: str, context: Path, tag: str) -> str | None:
    """None when `text` builds, else why not."""
    try:
        image = runner.build(text, context, tag, timeout_s=600, memory_limit=2048 * MB, cpu_quota=200_000)
    except BuildFailed as failed:
        return failed.reason
    runner.remove(image)
    return None


def test_the_files_exercise_safe_fixes():
    changed = [path.name for path in FILES if fix_text(path.read_text()) != path.read_text()]
    assert len(FILES) >= 10 and len(changed) >= 5, changed


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_safe_fixes_keep_the_file_building(path: Path, docker_host: str, tmp_path: Path) -> None:
    original = path.read_text()
    fixed = fix_text(original)
    runner = DockerBuildRunner(docker_host, tmp_path / "logs", "host")
    context = tmp_path / "context"
    context.mkdir()
    tag = f"codi-test/fix-safety-{path.stem.lower()}"
    try:
        assert _build(runner, original, context, f"{tag}:original-{os.getpid()}") is None, "the original must build"
        if fixed != original:
            reason = _build(runner, fixed, context, f"{tag}:fixed-{os.getpid()}")
            assert reason is None, f"codi fix broke the build:\n{fixed}\n{reason}"
    finally:
        runner.close()
