"""DockerBuildRunner on the real engine: builds pass and fail, cache mounts are stripped, smoke tests judge.

Images stay tiny (FROM the offline debian:bookworm-slim / python:3.11-slim) and every image a test
builds is removed at its end: the vfs driver keeps a full copy per layer.
"""

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from codi.worker.build import BuildFailed, BuiltImage, DockerBuildRunner, strip_cache_mounts

LIMITS = {"timeout_s": 300, "memory_limit": 512 * 1024 * 1024, "cpu_quota": 100_000}
SHOW_LIMITS = (
    "if [ -f /sys/fs/cgroup/cpu.max ]; "
    "then q=$(cut -d' ' -f1 /sys/fs/cgroup/cpu.max); m=$(cat /sys/fs/cgroup/memory.max); "
    "else q=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us); m=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes); fi; "
    "echo limits $q $m"
)
"""Prints the CPU quota and memory limit the build container runs under (cgroup v2 or v1)."""


@pytest.fixture
def runner(docker_host: str, tmp_path: Path) -> Iterator[DockerBuildRunner]:
    built = DockerBuildRunner(docker_host, tmp_path / "logs")
    yield built
    built.close()


@pytest.fixture
def context(tmp_path: Path) -> Path:
    directory = tmp_path / "context"
    directory.mkdir()
    (directory / "app.txt").write_text("hello\n")
    return directory


def _tag(name: str) -> str:
    return f"codi-test/runner-{name}:{os.getpid()}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _assert_removed(runner: DockerBuildRunner, image: BuiltImage) -> None:
    runner.remove(image)
    with pytest.raises(docker.errors.ImageNotFound):
        runner.client.images.get(image.image_id)


def test_passing_build_is_measured_and_logged(runner: DockerBuildRunner, context: Path) -> None:
    dockerfile = (
        "FROM debian:bookworm-slim\nCOPY app.txt /app/\n"
        f"RUN head -c 300000 /dev/zero > /app/blob && {SHOW_LIMITS}\n"
        "ENV A=1\n"
    )
    image = runner.build(dockerfile, context, _tag("pass"), **{**LIMITS, "cpu_quota": 50_000})
    try:
        # The build's containers ran under the CPU quota (half a CPU) and the memory limit.
        assert f"limits 50000 {LIMITS['memory_limit']}" in image.log_path.read_text()
        base = runner.client.images.get("debian:bookworm-slim")
        assert image.layers == len(base.attrs["RootFS"]["Layers"]) + 2
        assert len(image.layer_sizes) == image.layers
        assert image.layer_sizes[-1] == 300_000
        assert image.layer_sizes[-2] == len("hello\n")
        assert image.size_bytes == int(base.attrs["Size"]) + 300_006
        assert 0 < image.build_seconds < LIMITS["timeout_s"]
        assert image.cache_mounts == "none"
        assert "Successfully built" in image.log_path.read_text()
        measured = image.measurements(None)
        assert (measured.smoke, measured.size_bytes, measured.wasted_bytes) == ("skipped", image.size_bytes, None)
    finally:
        _assert_removed(runner, image)


def test_failing_build_raises_with_log_tail(runner: DockerBuildRunner, context: Path) -> None:
    with pytest.raises(BuildFailed) as failed:
        runner.build("FROM debian:bookworm-slim\nRUN echo about-to-fail && false\n", context, _tag("fail"), **LIMITS)
    assert "returned a non-zero code: 1" in failed.value.reason
    assert "about-to-fail" in failed.value.log_tail
    with pytest.raises(docker.errors.ImageNotFound):
        runner.client.images.get(_tag("fail"))


def test_cache_mount_is_stripped_and_build_succeeds(runner: DockerBuildRunner, context: Path) -> None:
    dockerfile = "FROM debian:bookworm-slim\nRUN --mount=type=cache,target=/root/.cache \\\n    echo cached > /done\n"
    image = runner.build(dockerfile, context, _tag("cache"), **LIMITS)
    try:
        assert image.cache_mounts == "stripped"
        assert "RUN --mount=type=cache stripped" in image.log_path.read_text()
        assert image.measurements(None).cache_mounts == "stripped"
    finally:
        _assert_removed(runner, image)


def test_strip_keeps_other_flags_and_refuses_other_mount_types() -> None:
    text = "FROM x\nRUN --mount=type=cache,target=/a --network=none --mount=type=cache,target=/b make\n"
    assert strip_cache_mounts(text) == ("FROM x\nRUN --network=none make\n", True)
    assert strip_cache_mounts("FROM x\nRUN make\n") == ("FROM x\nRUN make\n", False)
    with pytest.raises(BuildFailed, match="type=secret needs BuildKit"):
        strip_cache_mounts("FROM x\nRUN --mount=type=secret,id=npm make\n")


def test_port_smoke_test_passes_and_records_stop_seconds(runner: DockerBuildRunner, context: Path) -> None:
    port = _free_port()
    dockerfile = (
        f"FROM python:3.11-slim\nEXPOSE {port}\n"
        f'CMD ["python3", "-m", "http.server", "--bind", "127.0.0.1", "{port}"]\n'
    )
    image = runner.build(dockerfile, context, _tag("port"), **LIMITS)
    try:
        assert image.exposed_ports == (port,)
        smoke = runner.smoke_test(image, timeout_s=60, stop_timeout_s=2)
        assert (smoke.method, smoke.passed, smoke.reason) == ("port", True, None)
        # python as PID 1 installs no SIGTERM handler, so the kernel ignores SIGTERM: the stop waits out the grace.
        assert smoke.stop_seconds is not None and 2 <= smoke.stop_seconds < 10
        assert image.measurements(smoke).smoke_stop_seconds == smoke.stop_seconds
        assert runner.client.containers.list(all=True, filters={"ancestor": image.image_id}) == []
    finally:
        _assert_removed(runner, image)


def test_exit_code_smoke_test_fails_when_original_exited_zero(runner: DockerBuildRunner, context: Path) -> None:
    dockerfile = 'FROM debian:bookworm-slim\nCMD ["sh", "-c", "echo broken >&2; exit 3"]\n'
    image = runner.build(dockerfile, context, _tag("exit"), **LIMITS)
    try:
        smoke = runner.smoke_test(image, original_exit_code=0, timeout_s=60)
        assert (smoke.method, smoke.passed, smoke.exit_code) == ("exit-code", False, 3)
        assert smoke.reason == "exited 3, expected 0"
        assert "broken" in smoke.log_tail
        assert image.measurements(smoke).smoke == "fail"
        configured = runner.smoke_test(image, command=["true"], timeout_s=60)
        assert (configured.method, configured.passed, configured.exit_code) == ("command", True, 0)
        hanging = runner.smoke_test(image, command=["sleep", "60"], timeout_s=2)
        assert (hanging.passed, hanging.reason, hanging.exit_code) == (False, "did not exit within 2s", None)
        assert runner.client.containers.list(all=True, filters={"ancestor": image.image_id}) == []
    finally:
        _assert_removed(runner, image)
