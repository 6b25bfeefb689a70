"""ImageLab on the real engine: evidence for pass, build failure, smoke failure, a missing application file,
a secret left in a layer, and reuse of a recorded build without rebuilding.

Every image is FROM the offline debian:bookworm-slim and tiny; ImageLab removes each image once measured.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from codi.pipeline.config import SmokeSettings
from codi.pipeline.measured import judge
from codi.storage.database import init_db
from codi.storage.evidence import EvidenceStore
from codi.worker.build import DockerBuildRunner
from codi.worker.measure import BuildLimits, ImageLab, context_hash, external_images

LIMITS = BuildLimits(timeout_s=300, memory_bytes=512 * 1024**2, cpus=1, exit_code_timeout_s=5)
ORIGINAL = 'FROM debian:bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["sh", "-c", "test -f /app/app.txt"]\n'
PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n"


class CountingRunner(DockerBuildRunner):
    """The real runner, counting the builds it starts (reuse must start none)."""

    builds = 0

    def build(self, *args: Any, **kwargs: Any) -> Any:
        self.builds += 1
        return super().build(*args, **kwargs)


@pytest.fixture
def context(tmp_path: Path) -> Path:
    directory = tmp_path / "context"
    directory.mkdir()
    (directory / "app.txt").write_text("hello\n")
    (directory / "data.txt").write_text("data\n")
    (directory / "notes.md").write_text("ignored by .dockerignore\n")
    (directory / ".dockerignore").write_text("# docs\nnotes.md\n")
    return directory


@pytest.fixture
def runner(docker_host: str, tmp_path: Path) -> Iterator[CountingRunner]:
    built = CountingRunner(docker_host, tmp_path / "logs")
    yield built
    built.close()


@pytest.fixture
def lab(runner: CountingRunner, tmp_path: Path) -> Iterator[ImageLab]:
    engine = init_db(f"sqlite:///{tmp_path / 'evidence.db'}")
    yield ImageLab(runner, EvidenceStore(engine), tmp_path / "evidence", limits=LIMITS)
    engine.dispose()


def _no_images_left(runner: DockerBuildRunner) -> None:
    assert [image for image in runner.client.images.list() if any(t.startswith("codi-build/") for t in image.tags)] == []


def test_passing_build_records_measurements_sbom_and_application_files(lab: ImageLab, runner: CountingRunner, context: Path) -> None:
    image = lab.measure("original", ORIGINAL, context)
    assert (image.result, image.reused, image.failure_reason) == ("pass", False, None)
    m = image.measurements
    assert m is not None and m.size_bytes > 70_000_000 and m.layers >= 2
    assert (m.smoke, m.smoke_method, m.smoke_exit_code) == ("pass", "exit-code", 0)
    assert m.wasted_bytes is not None and m.efficiency is not None and 0 < m.efficiency <= 1
    assert m.components is not None and m.components > 50  # the base's dpkg packages
    assert image.scan is None  # no Trivy or Grype on this host: "not scanned", never zero
    # notes.md is ignored; (the SDK sends its own .dockerignore naming the Dockerfile it adds, hence no size check)
    assert image.app_files is not None and set(image.app_files) == {"/app/.dockerignore", "/app/app.txt", "/app/data.txt"}
    assert (image.app_files["/app/app.txt"], image.app_files["/app/data.txt"]) == (6, 5)
    sbom = json.loads(Path(image.sbom_path or "").read_text())
    assert sbom["bomFormat"] == "CycloneDX" and any(c["name"] == "dpkg" for c in sbom["components"])
    assert "Successfully built" in Path(image.log_path or "").read_text()
    _no_images_left(runner)


def test_identical_inputs_reuse_the_record_without_rebuilding(lab: ImageLab, runner: CountingRunner, context: Path) -> None:
    first = lab.measure("original", ORIGINAL, context)
    second = lab.measure("original", ORIGINAL, context)
    assert runner.builds == 1
    assert (second.reused, second.key, second.measurements) == (True, first.key, first.measurements)
    # An ignored file does not change the key; an application file does.
    (context / "notes.md").write_text("changed\n")
    assert lab.measure("original", ORIGINAL, context).reused and runner.builds == 1
    (context / "app.txt").write_text("changed\n")
    assert not lab.measure("original", ORIGINAL, context).reused and runner.builds == 2


def test_failed_build_is_recorded_with_log_tail_and_not_rebuilt(lab: ImageLab, runner: CountingRunner, context: Path) -> None:
    broken = "FROM debian:bookworm-slim\nRUN echo about to fail && false\n"
    image = lab.measure("fixes", broken, context)
    assert image.result == "fail" and image.failure_reason is not None
    assert image.failure_reason.startswith("build failed: The command '/bin/sh -c echo about to fail && false'")
    assert "about to fail" in (image.log_tail or "")
    assert lab.store.get_error(image.key) is not None
    assert lab.measure("fixes", broken, context).reused and runner.builds == 1


def test_missing_base_image_is_reported_not_recorded(lab: ImageLab, context: Path) -> None:
    image = lab.measure("minimal", "FROM example.invalid/nothing:1\nCMD [\"true\"]\n", context)
    assert image.result == "fail" and image.key == ""
    assert image.failure_reason == "base image example.invalid/nothing:1 is not on the build host (no registry to pull from)"


def test_smoke_failure_marks_the_build_failed_with_the_container_log(lab: ImageLab, context: Path) -> None:
    server = 'FROM debian:bookworm-slim\nEXPOSE 18099\nCMD ["sh", "-c", "echo cannot bind >&2; exit 4"]\n'
    image = lab.measure("multi-stage", server, context)
    assert image.result == "fail" and image.measurements is not None and image.measurements.smoke == "fail"
    assert image.failure_reason == "smoke test failed (port): exited 4 before port 18099 accepted a connection"
    assert "cannot bind" in (image.log_tail or "")


def test_candidate_lacking_an_application_file_or_exiting_otherwise_is_rejected(lab: ImageLab, context: Path) -> None:
    original = lab.measure("original", ORIGINAL, context)
    # A clean-up step that deletes too much: the file was copied, and is gone from the image.
    lacking = lab.measure(
        "minimal",
        'FROM debian:bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN rm data.txt\nCMD ["sh", "-c", "test -f /app/app.txt"]\n',
        context,
    )
    exiting = lab.measure("fixes", 'FROM debian:bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["sh", "-c", "exit 3"]\n', context)
    reports = judge(original, [lacking, exiting])
    assert [r.status for r in reports] == ["pass", "fail", "fail"]
    assert reports[1].missing_files == ("/app/data.txt",)
    assert reports[2].reason == "smoke test failed: exited 3, the original exited 0"


def test_secret_left_in_a_layer_is_found_even_when_deleted(lab: ImageLab, context: Path) -> None:
    (context / "id_rsa").write_text(PRIVATE_KEY)
    leaky = "FROM debian:bookworm-slim\nCOPY id_rsa /root/.ssh/id_rsa\nRUN rm /root/.ssh/id_rsa\nCMD [\"true\"]\n"
    image = lab.measure("original", leaky, context)
    assert image.measurements is not None
    kinds = {(s.path, s.kind) for s in image.measurements.secrets}
    assert ("/root/.ssh/id_rsa", "secret file `id_rsa`") in kinds
    assert all(PRIVATE_KEY not in s.kind for s in image.measurements.secrets)


def test_configured_smoke_command_runs_instead_of_the_image_command(lab: ImageLab, context: Path) -> None:
    image = lab.measure("original", ORIGINAL, context, smoke=SmokeSettings(command=("sh", "-c", "exit 5")))
    assert image.result == "fail" and image.failure_reason == "smoke test failed (command): exited 5, expected 0"


def test_context_hash_and_external_images() -> None:
    assert external_images(
        "ARG V=3.11\nFROM python:${V} AS build\nFROM build AS test\nFROM scratch\nCOPY --from=build /a /a\n"
        "COPY --from=gcr.io/distroless/static-debian12 /etc/passwd /etc/passwd\n"
    ) == ("gcr.io/distroless/static-debian12", "python:3.11")


def test_context_hash_follows_dockerignore(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("1")
    before = context_hash(tmp_path)
    (tmp_path / ".dockerignore").write_text("b\n")
    with_ignore = context_hash(tmp_path)
    (tmp_path / "b").write_text("ignored")
    assert context_hash(tmp_path) == with_ignore != before
    (tmp_path / "a").chmod(0o755)
    assert context_hash(tmp_path) != with_ignore
