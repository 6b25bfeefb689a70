"""DockerBuildRunner on the real engine: builds pass and fail, cache mounts are stripped, smoke tests judge,
builds and smoke-test containers run on the configured network and smoke-test containers are confined.

Images stay tiny (FROM the offline debian:bookworm-slim / python:3.11-slim) and every image a test
builds is removed at its end: the vfs driver keeps a full copy per layer.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import pytest

from codi.worker.build import (
    BUILD_NETWORK_LABEL,
    BUILD_NETWORK_NAME,
    SMOKE_PIDS_LIMIT,
    BuildFailed,
    BuildNetwork,
    BuiltImage,
    DockerBuildRunner,
    SmokeResult,
    strip_cache_mounts,
)

LIMITS = {"timeout_s": 300, "memory_limit": 512 * 1024 * 1024, "cpu_quota": 100_000}
SMOKE_LIMITS = {"memory_limit": LIMITS["memory_limit"], "cpu_quota": 50_000}
SHOW_LIMITS = (
    "if [ -f /sys/fs/cgroup/cpu.max ]; "
    "then q=$(cut -d' ' -f1 /sys/fs/cgroup/cpu.max); m=$(cat /sys/fs/cgroup/memory.max); "
    "else q=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us); m=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes); fi; "
    "echo limits $q $m"
)
"""Prints the CPU quota and memory limit the build container runs under (cgroup v2 or v1)."""


@pytest.fixture
def runner(docker_host: str, tmp_path: Path) -> Iterator[DockerBuildRunner]:
    """The default runner: builds and port tests on codi's own `codi-builds` network (this engine has a bridge)."""
    built = DockerBuildRunner(docker_host, tmp_path / "logs")
    yield built
    built.close()


@pytest.fixture
def make_runner(docker_host: str, tmp_path: Path) -> Iterator[Callable[[BuildNetwork], DockerBuildRunner]]:
    """Runners on another `CODI_BUILD_NETWORK` value."""
    made: list[DockerBuildRunner] = []

    def make(network: BuildNetwork) -> DockerBuildRunner:
        made.append(DockerBuildRunner(docker_host, tmp_path / "logs", network))
        return made[-1]

    yield make
    for built in made:
        built.close()


@pytest.fixture
def context(tmp_path: Path) -> Path:
    directory = tmp_path / "context"
    directory.mkdir()
    (directory / "app.txt").write_text("hello\n")
    return directory


def _tag(name: str) -> str:
    return f"codi-test/runner-{name}:{os.getpid()}"


def _log_name(name: str) -> str:
    return _tag(name).replace("/", "_").replace(":", "_") + ".log"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def poolless_engine(docker_host: str) -> Iterator[str]:
    """A second real dockerd whose only address pool is taken: the engine cannot create any bridge network.

    Started like scripts/engine's (vfs, no iptables, `--bridge=none`) with one /24 pool, which a network made
    here fills; it holds no images, which the failing build never reaches.
    """
    folder = Path(tempfile.mkdtemp(prefix="codi-poolless-"))
    host = f"unix://{folder}/docker.sock"
    daemon = subprocess.Popen(
        ["dockerd", "--storage-driver=vfs", "--iptables=false", "--ip6tables=false", "--bridge=none",
         "--data-root", str(folder / "data"), "--exec-root", str(folder / "exec"), "--pidfile", str(folder / "pid"),
         "--default-address-pool", "base=10.199.77.0/24,size=24", "--host", host],
        stdout=(folder / "log").open("w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    try:
        client = _wait_for_engine(host)
        filler = client.networks.create("takes-the-only-pool", driver="bridge")
        yield host
        filler.remove()  # the engine leaves a network's bridge interface on the host when it stops
        client.close()
    finally:
        daemon.terminate()
        daemon.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_engine(host: str) -> docker.DockerClient:
    """A client once the engine answers (the client asks for its API version on creation)."""
    for _ in range(120):
        try:
            client = docker.DockerClient(base_url=host, timeout=30)
            client.ping()
            return client
        except docker.errors.DockerException:
            time.sleep(0.5)
    pytest.fail(f"dockerd on {host} did not answer in 60s")


def _smoke_inspecting(
    runner: DockerBuildRunner, image: BuiltImage, **kwargs: object
) -> tuple[SmokeResult, dict[str, object]]:
    """Runs a smoke test and, while its container runs, the engine's inspect of that container."""
    results: list[SmokeResult] = []
    thread = threading.Thread(target=lambda: results.append(runner.smoke_test(image, **SMOKE_LIMITS, **kwargs)))
    thread.start()
    inspected: dict[str, object] = {}
    while thread.is_alive() and not inspected:
        for container in runner.client.containers.list(filters={"ancestor": image.image_id}):
            inspected = runner.client.api.inspect_container(container.id)
        time.sleep(0.05)
    thread.join()
    assert inspected, "the smoke-test container was never seen running"
    assert runner.client.containers.list(all=True, filters={"ancestor": image.image_id}) == []
    return results[0], inspected


def _assert_confined(inspected: dict[str, object], network_mode: str, read_only: bool = True) -> None:
    """The smoke-test container's HostConfig as the engine reports it: the build's limits and nothing to spare."""
    host_config = inspected["HostConfig"]
    assert isinstance(host_config, dict)
    assert host_config["NetworkMode"] == network_mode
    assert host_config["Memory"] == SMOKE_LIMITS["memory_limit"]
    assert host_config["MemorySwap"] == SMOKE_LIMITS["memory_limit"]
    assert (host_config["CpuQuota"], host_config["CpuPeriod"]) == (SMOKE_LIMITS["cpu_quota"], 100_000)
    assert host_config["PidsLimit"] == SMOKE_PIDS_LIMIT
    assert host_config["CapDrop"] == ["ALL"]
    assert host_config["SecurityOpt"] == ["no-new-privileges"]
    assert host_config["ReadonlyRootfs"] is read_only
    assert sorted(host_config["Tmpfs"] or {}) == (["/run", "/tmp"] if read_only else [])


def _accepts_locally(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _host_interfaces() -> int:
    return sum(":" in line for line in Path("/proc/net/dev").read_text().splitlines())


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


def test_port_smoke_test_passes_on_codi_network_and_records_stop_seconds(
    runner: DockerBuildRunner, context: Path
) -> None:
    port = _free_port()
    dockerfile = (
        f"FROM python:3.11-slim\nEXPOSE {port}\n"
        f'CMD ["python3", "-m", "http.server", "--bind", "0.0.0.0", "{port}"]\n'
    )
    image = runner.build(dockerfile, context, _tag("port"), **LIMITS)
    try:
        assert image.exposed_ports == (port,)
        smoke, inspected = _smoke_inspecting(runner, image, timeout_s=60, stop_timeout_s=2)
        assert (smoke.method, smoke.passed, smoke.reason) == ("port", True, None)
        _assert_confined(inspected, BUILD_NETWORK_NAME)
        # Reached at its own address on codi-builds: nothing listens on the build host's loopback.
        assert not _accepts_locally(port)
        # python as PID 1 installs no SIGTERM handler, so the kernel ignores SIGTERM: the stop waits out the grace.
        assert smoke.stop_seconds is not None and 2 <= smoke.stop_seconds < 10
        assert image.measurements(smoke).smoke_stop_seconds == smoke.stop_seconds
    finally:
        _assert_removed(runner, image)


def test_host_network_is_explicit_and_reaches_loopback(
    make_runner: Callable[[BuildNetwork], DockerBuildRunner], context: Path
) -> None:
    runner = make_runner("host")
    port = _free_port()
    dockerfile = (
        f"FROM python:3.11-slim\nEXPOSE {port}\nRUN echo interfaces $(grep -c : /proc/net/dev)\n"
        f'CMD ["python3", "-m", "http.server", "--bind", "127.0.0.1", "{port}"]\n'
    )
    image = runner.build(dockerfile, context, _tag("host"), **LIMITS)
    try:
        assert f"interfaces {_host_interfaces()}" in image.log_path.read_text()
        smoke, inspected = _smoke_inspecting(runner, image, timeout_s=60, stop_timeout_s=2)
        assert (smoke.method, smoke.passed, smoke.reason) == ("port", True, None)
        _assert_confined(inspected, "host")
    finally:
        _assert_removed(runner, image)


def test_builds_on_codi_network_and_none_see_no_host_interface(
    runner: DockerBuildRunner, make_runner: Callable[[BuildNetwork], DockerBuildRunner], context: Path
) -> None:
    dockerfile = "FROM debian:bookworm-slim\nRUN echo interfaces $(grep -c : /proc/net/dev) $(date +%N)\n"
    for built_by, expected in ((runner, "interfaces 2 "), (make_runner("none"), "interfaces 1 ")):  # eth0 + lo; lo
        image = built_by.build(dockerfile, context, _tag(f"net-{built_by.network}"), **LIMITS)
        try:
            assert expected in image.log_path.read_text()
            assert built_by.client.networks.get(BUILD_NETWORK_NAME).attrs["Driver"] == "bridge"
        finally:
            _assert_removed(built_by, image)


def test_two_codi_builds_networks_from_racing_runners_become_one(runner: DockerBuildRunner, context: Path) -> None:
    """Two runners starting at once each made `codi-builds` past the engine's best-effort duplicate check; every
    build after that failed "network codi-builds is ambiguous". The runner keeps the oldest and removes the rest."""
    runner.network_mode()
    (kept,) = runner.build_networks()
    extra = runner.client.networks.create(
        BUILD_NETWORK_NAME, driver="bridge", check_duplicate=False, labels={BUILD_NETWORK_LABEL: "builds"}
    )
    assert {network.id for network in runner.build_networks()} == {kept.id, extra.id}
    image = runner.build("FROM debian:bookworm-slim\nRUN true\n", context, _tag("dedupe"), **LIMITS)
    try:
        assert [network.id for network in runner.build_networks()] == [kept.id]
    finally:
        _assert_removed(runner, image)


def test_a_second_codi_builds_network_codi_did_not_make_fails_the_build_naming_it(
    runner: DockerBuildRunner, context: Path
) -> None:
    runner.network_mode()
    foreign = runner.client.networks.create(BUILD_NETWORK_NAME, driver="bridge", check_duplicate=False)
    try:
        with pytest.raises(BuildFailed) as failed:
            runner.build("FROM debian:bookworm-slim\n", context, _tag("foreign"), **LIMITS)
        assert failed.value.reason == (
            f"the engine has more than one network named {BUILD_NETWORK_NAME} and codi did not make {foreign.id[:12]}; "
            "remove it (docker network rm) or set CODI_BUILD_NETWORK"
        )
    finally:
        foreign.remove()


def test_engine_that_cannot_make_the_network_fails_the_build_naming_host(
    poolless_engine: str, tmp_path: Path, context: Path
) -> None:
    runner = DockerBuildRunner(poolless_engine, tmp_path / "logs")
    try:
        with pytest.raises(BuildFailed) as failed:
            runner.build("FROM debian:bookworm-slim\n", context, _tag("poolless"), **LIMITS)
        assert failed.value.reason.startswith(
            f"the engine cannot create the Docker network {BUILD_NETWORK_NAME} (could not find an available, "
            "non-overlapping IPv4 address pool"
        )
        assert "set CODI_BUILD_NETWORK=host" in failed.value.reason
        assert "codi: build failed: the engine cannot create" in (tmp_path / "logs" / _log_name("poolless")).read_text()
        assert runner.client.networks.list(names=[BUILD_NETWORK_NAME]) == []  # and no fallback: nothing ran
        assert runner.client.containers.list(all=True) == []
    finally:
        runner.close()


def test_port_smoke_test_on_network_none_says_it_cannot_run(
    make_runner: Callable[[BuildNetwork], DockerBuildRunner], context: Path
) -> None:
    runner = make_runner("none")
    image = runner.build("FROM debian:bookworm-slim\nEXPOSE 18098\n", context, _tag("none-port"), **LIMITS)
    try:
        smoke = runner.smoke_test(image, **SMOKE_LIMITS, timeout_s=10)
        assert (smoke.method, smoke.passed) == ("port", False)
        assert smoke.reason == "port 18098 cannot be tested: CODI_BUILD_NETWORK=none gives the container no network"
        assert runner.client.containers.list(all=True, filters={"ancestor": image.image_id}) == []
    finally:
        _assert_removed(runner, image)


def test_smoke_container_is_confined_and_read_only_where_the_image_allows(
    runner: DockerBuildRunner, context: Path
) -> None:
    image = runner.build("FROM debian:bookworm-slim\nENV CONFINED=1\n", context, _tag("confined"), **LIMITS)
    try:
        scratch = ["sh", "-c", "sleep 1; echo x > /tmp/x && echo x > /run/x && cat /tmp/x"]
        smoke, inspected = _smoke_inspecting(runner, image, command=scratch, timeout_s=60)
        assert (smoke.method, smoke.passed, smoke.reason, smoke.exit_code) == ("command", True, None, 0)
        _assert_confined(inspected, "none")
        # The pids limit holds: 300 sleeping children cannot all start.
        forks = ["sh", "-c", "for i in $(seq 300); do sleep 5 & done; wait"]
        forked = runner.smoke_test(image, **SMOKE_LIMITS, command=forks, timeout_s=60)
        assert (forked.passed, forked.log_tail) == (False, "sh: 0: Cannot fork\n")
        # Writing outside /tmp and /run fails read-only (EROFS); the rerun writable passes and says why.
        writes = ["sh", "-c", "sleep 1; echo x > /state && cat /state"]
        rerun, rerun_inspected = _smoke_inspecting(runner, image, command=writes, timeout_s=60)
        assert (rerun.passed, rerun.exit_code) == (True, 0)
        assert rerun.reason == "ran with a writable root: the read-only run hit Read-only file system"
        _assert_confined(rerun_inspected, "none", read_only=True)  # the first, read-only run was seen
        # Node (libuv) says it in lower case; a run that fails writable too keeps its own reason first.
        node = ["sh", "-c", "echo 'EROFS: read-only file system, open /x' >&2; exit 1"]
        both = runner.smoke_test(image, **SMOKE_LIMITS, command=node, timeout_s=60)
        assert (both.passed, both.exit_code) == (False, 1)
        assert both.reason == f"exited 1, expected 0; {rerun.reason}"
        assert runner.client.containers.list(all=True, filters={"ancestor": image.image_id}) == []
    finally:
        _assert_removed(runner, image)


def test_exit_code_smoke_test_fails_when_original_exited_zero(runner: DockerBuildRunner, context: Path) -> None:
    dockerfile = 'FROM debian:bookworm-slim\nCMD ["sh", "-c", "echo broken >&2; exit 3"]\n'
    image = runner.build(dockerfile, context, _tag("exit"), **LIMITS)
    try:
        smoke = runner.smoke_test(image, **SMOKE_LIMITS, original_exit_code=0, timeout_s=60)
        assert (smoke.method, smoke.passed, smoke.exit_code) == ("exit-code", False, 3)
        assert smoke.reason == "exited 3, expected 0"
        assert "broken" in smoke.log_tail
        assert image.measurements(smoke).smoke == "fail"
        configured = runner.smoke_test(image, **SMOKE_LIMITS, command=["true"], timeout_s=60)
        assert (configured.method, configured.passed, configured.exit_code) == ("command", True, 0)
        hanging = runner.smoke_test(image, **SMOKE_LIMITS, command=["sleep", "60"], timeout_s=2)
        assert (hanging.passed, hanging.reason, hanging.exit_code) == (False, "did not exit within 2s", None)
        assert runner.client.containers.list(all=True, filters={"ancestor": image.image_id}) == []
    finally:
        _assert_removed(runner, image)
