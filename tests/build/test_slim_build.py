"""Slim candidates build, are smaller and answer as the original does, on the real engine (issue 11, items 3, 4, 7).

Two small images of tests/data/slim in the shapes the slim strategy is for: an already multi-stage Flask app
whose final stage is the full python image (and which writes into its WORKDIR at start-up, so the non-root user
the candidate adds must own that folder), and an nginx packaging image on debian:bookworm with its apt installs
split over RUNs and curl fetching an https page in a later RUN (so `--no-install-recommends` must keep
ca-certificates). The original and the slim candidate are built on the offline bases with the host's network
(PyPI, Debian's mirror), smoke-tested on the app's port and measured. A third builds the slim candidate
of consecutive single-command RUNs merged into fewer layers (the riskiest of slim's edits: a merged command runs
in the shell of the ones before it) and checks it holds the files the original makes, with their modes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from codi.pipeline.optimize.optimizer import optimize
from codi.worker.build import DockerBuildRunner
from tests.build.engine import MB, build_or_fail

APPS = Path(__file__).resolve().parents[1] / "data" / "slim"
PORTS = {"python-multi-stage": 8000, "nginx-packaging": 8080}
CHANGES = {
    "python-multi-stage": {"base-image", "cache-mount", "user", "ownership"},
    "nginx-packaging": {"base-image", "layers", "os-packages"},
}


@pytest.mark.parametrize("app", sorted(PORTS))
def test_the_slim_candidate_builds_answers_and_is_smaller(
    app: str, host_build_runner: DockerBuildRunner, tmp_path: Path
) -> None:
    runner = host_build_runner
    context = tmp_path / app
    shutil.copytree(APPS / app, context)
    original_text = (context / "Dockerfile").read_text()
    result = optimize("Dockerfile", original_text)
    (candidate,) = [c for c in result.candidates if c.strategy == "slim"]
    assert {change.kind for change in candidate.changes} == CHANGES[app]
    tag = f"codi-test/slim-{app}"
    images = [build_or_fail(runner, original_text, context, f"{tag}:original-{os.getpid()}")]
    try:
        original = runner.smoke_test(images[0], 1024 * MB, 100_000, port=PORTS[app], timeout_s=60)
        assert original.passed, f"the original must answer: {original.reason}\n{original.log_tail}"
        images.append(build_or_fail(runner, candidate.dockerfile, context, f"{tag}:slim-{os.getpid()}"))
        smoke = runner.smoke_test(images[1], 1024 * MB, 100_000, port=PORTS[app], timeout_s=60)
        assert smoke.passed, f"{candidate.dockerfile}\n{smoke.reason}\n{smoke.log_tail}"
        before, after = images[0].size_bytes, images[1].size_bytes
        print(f"{app}: original {before / MB:.0f} MB, slim {after / MB:.0f} MB")
        assert after < before
    finally:
        for image in images:
            runner.remove(image)


MERGED_RUNS = """\
FROM debian:bookworm-slim
WORKDIR /srv
RUN mkdir state
RUN touch state/log
RUN cd state
RUN ln -s state ready
RUN umask 077
RUN touch shared
CMD ["test", "-L", "/srv/ready"]
"""
"""Consecutive single-command RUNs that each start in /srv with the default umask, as Docker runs them: a merge
past `cd` would make the link in /srv/state, one past `umask` would make `shared` unreadable to others."""
ORIGINAL_FILES = 'test -L /srv/ready && test -f /srv/state/log && [ "$(stat -c %a /srv/shared)" = 644 ]'
"""What the original builds (each RUN in a fresh shell in /srv, umask 022)."""


def test_merged_runs_build_the_original_files_in_fewer_layers(
    host_build_runner: DockerBuildRunner, tmp_path: Path
) -> None:
    runner = host_build_runner
    (candidate,) = [c for c in optimize("Dockerfile", MERGED_RUNS).candidates if c.strategy == "slim"]
    assert {change.kind for change in candidate.changes} == {"layers"}
    first = "RUN mkdir state \\\n    && touch state/log \\\n    && cd state\n"
    assert first + "RUN ln -s state ready \\\n    && umask 077\nRUN touch shared\n" in candidate.dockerfile
    image = build_or_fail(runner, candidate.dockerfile, tmp_path, f"codi-test/slim-merged-runs:{os.getpid()}")
    try:
        smoke = runner.smoke_test(image, 256 * MB, 100_000, command=["sh", "-c", ORIGINAL_FILES], timeout_s=60)
        assert smoke.passed, f"{candidate.dockerfile}\n{smoke.reason}\n{smoke.log_tail}"
        print(f"merged RUNs: {image.layers} layers (the original makes 5: the base and 4 RUNs that write files)")
        assert image.layers == 4
    finally:
        runner.remove(image)
