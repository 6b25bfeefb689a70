"""Multi-stage and minimal candidates build, answer and are smaller, on the real engine (issue 11, items 1, 5-7).

Each app of tests/data/apps is a small app in the shape of one of the issue's real apps: the naive Flask
Dockerfile with `apt-get update` in a RUN of its own, an Express app that runs `npm start` as `USER node`,
and a Flask app that writes into its WORKDIR at start-up (so a non-root candidate must own that folder).
The original and every multi-stage/minimal candidate codi emits for it (with the build context known) are
built on the offline bases, smoke-tested on the app's port and measured; packages come from PyPI and npm,
so the builds use the host's network.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from codi.pipeline.optimize.optimizer import optimize
from codi.worker.build import DockerBuildRunner
from tests.build.engine import MB, build_or_fail

APPS = Path(__file__).resolve().parents[1] / "data" / "apps"
EXPECTED = {
    "flask-naive": ("multi-stage",),
    "express-user-node": ("multi-stage", "minimal"),
    "python-writes-workdir": ("multi-stage", "minimal"),
}
PORTS = {"flask-naive": 8000, "express-user-node": 3000, "python-writes-workdir": 8000}


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_candidates_build_answer_and_are_smaller(
    app: str, host_build_runner: DockerBuildRunner, tmp_path: Path
) -> None:
    runner = host_build_runner
    context = tmp_path / app
    shutil.copytree(APPS / app, context)
    files = {str(path.relative_to(context)): path.read_text() for path in context.rglob("*") if path.is_file()}
    original_text = files["Dockerfile"]
    result = optimize("Dockerfile", original_text, files)
    candidates = [c for c in result.candidates if c.strategy in ("multi-stage", "minimal")]
    assert tuple(c.strategy for c in candidates) == EXPECTED[app], result.no_candidate_reason or result.rejected
    tag = f"codi-test/multistage-{app}"
    images = [build_or_fail(runner, original_text, context, f"{tag}:original-{os.getpid()}")]
    try:
        original_smoke = runner.smoke_test(images[0], 1024 * MB, 100_000, port=PORTS[app], timeout_s=60)
        assert original_smoke.passed, f"the original must answer: {original_smoke.reason}\n{original_smoke.log_tail}"
        sizes = {"original": images[0].size_bytes}
        for candidate in candidates:
            image = build_or_fail(runner, candidate.dockerfile, context, f"{tag}:{candidate.strategy}-{os.getpid()}")
            images.append(image)
            smoke = runner.smoke_test(image, 1024 * MB, 100_000, port=PORTS[app], timeout_s=60)
            assert smoke.passed, f"{candidate.strategy}:\n{candidate.dockerfile}\n{smoke.reason}\n{smoke.log_tail}"
            sizes[candidate.strategy] = image.size_bytes
            assert image.size_bytes < images[0].size_bytes, sizes
        print(f"{app}: " + ", ".join(f"{name} {size / MB:.0f} MB" for name, size in sizes.items()))
    finally:
        for image in images:
            runner.remove(image)
