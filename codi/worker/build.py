"""Real builds on a Docker engine: build a Dockerfile, measure the image, smoke-test it.

An I/O edge the core never imports. The engine is the one in `DOCKER_HOST`
(the legacy builder; no BuildKit here), so `RUN --mount=type=cache` is
stripped from the parsed document before the build and the image says so
(`cache_mounts="stripped"`); any other mount type fails the build clearly.
Nothing of the host reaches a build: no environment, no build args, no proxy
settings and no registry credentials from the Docker config file.

Neither builds nor smoke-test containers share the host's network namespace
unless `CODI_BUILD_NETWORK=host` says so (`BuildNetwork`): by default they run
on the `codi-builds` network codi creates once, and a run that tests no port
gets no network at all. Smoke-test containers run under the build's memory and
CPU limits, a pids limit, no capabilities, `no-new-privileges` and (where the
image allows) a read-only root; they are always removed.
"""

from __future__ import annotations

import socket
import tempfile
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import docker
import docker.errors
import requests.exceptions
from docker.models.containers import Container
from docker.models.networks import Network

from codi.pipeline.edits import Edit, apply_edits
from codi.pipeline.model import parse_mount
from codi.pipeline.parser import parse
from codi.storage.evidence import LOG_TAIL_CHARS, Measurements

CPU_PERIOD_US = 100_000
"""The CFS period `cpu_quota` is measured against: a quota of 50_000 is half a CPU."""
PORT_POLL_SECONDS = 0.2
BuildNetwork = Literal["codi", "none", "host"]
"""`CODI_BUILD_NETWORK`: codi's own bridge network (default), no network, or the host's (engines without a bridge)."""
BUILD_NETWORK_NAME = "codi-builds"
BUILD_NETWORK_LABEL = "org.codi.network"
SMOKE_PIDS_LIMIT = 256
"""Processes a smoke-test container may hold: a fork bomb stops there, not at the host's limit."""
SMOKE_TMPFS = {"/tmp": "rw,nosuid,nodev,size=64m", "/run": "rw,nosuid,nodev,size=16m"}
"""Writable scratch on a read-only root: what servers commonly write (pid files, sockets, temp files)."""
READ_ONLY_ERROR = "Read-only file system"
"""What EROFS prints (strerror; libuv, hence Node, says `EROFS: read-only file system`), matched ignoring case:
the image needs a writable root, so the smoke test reruns writable."""


class BuildFailed(Exception):
    """The build did not produce an image; `log_tail` is the end of its log, which says why."""

    def __init__(self, reason: str, log_tail: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.log_tail = log_tail


@dataclass(frozen=True)
class BuiltImage:
    """An image the engine built, with what was measured on it."""

    image_id: str
    tag: str
    size_bytes: int
    layers: int
    layer_sizes: tuple[int, ...]
    """Bytes per filesystem layer, bottom (base) first, from the image's history."""
    build_seconds: float
    cached_steps: int
    cache_mounts: Literal["stripped", "none"]
    log_path: Path
    exposed_ports: tuple[int, ...]
    """TCP ports the image EXPOSEs, ascending."""

    def measurements(self, smoke: SmokeResult | None) -> Measurements:
        """The evidence record's measurements; the `docker save` analysis (waste, secrets, SBOM) adds the rest."""
        return Measurements(
            size_bytes=self.size_bytes,
            layers=self.layers,
            layer_sizes=self.layer_sizes,
            build_seconds=self.build_seconds,
            cached_steps=self.cached_steps,
            cache_mounts=self.cache_mounts,
            wasted_bytes=None,
            smoke="skipped" if smoke is None else ("pass" if smoke.passed else "fail"),
            smoke_stop_seconds=None if smoke is None else smoke.stop_seconds,
            smoke_method=None if smoke is None else smoke.method,
            smoke_exit_code=None if smoke is None else smoke.exit_code,
            smoke_reason=None if smoke is None else smoke.reason,
        )


@dataclass(frozen=True)
class SmokeResult:
    """Whether the image still works, and how that was judged."""

    method: Literal["command", "port", "exit-code"]
    passed: bool
    reason: str | None
    """Why it failed, or what a recorded run observed (`still running after 20s`); None otherwise."""
    exit_code: int | None
    """The container's exit code; None when it was stopped by the test (port) or never exited."""
    stop_seconds: float | None
    """Seconds from SIGTERM to the container's exit (port test only): slow means PID 1 ignores signals."""
    log_tail: str


def strip_cache_mounts(dockerfile_text: str) -> tuple[str, bool]:
    """The Dockerfile without its `RUN --mount=type=cache` flags, and whether any were removed.

    The legacy builder refuses every `--mount`; a cache mount only speeds up
    a build, so dropping it keeps the result. Any other mount type (bind,
    secret, ssh, tmpfs) changes what the build sees, so it fails instead.
    """
    document = parse(dockerfile_text)
    text = document.text
    edits: list[Edit] = []
    for instr in document.instructions:
        if instr.keyword != "RUN":
            continue
        for flag in instr.flags:
            if flag.name != "mount":
                continue
            mount_type = parse_mount(flag.value or "").type
            if mount_type != "cache":
                raise BuildFailed(
                    f"line {instr.line}: RUN --mount=type={mount_type} needs BuildKit, which this engine lacks",
                    "",
                )
            end = flag.span.end
            while end < len(text) and text[end] in " \t":
                end += 1
            edits.append(Edit.delete(flag.span.start, end))
    return apply_edits(text, edits), bool(edits)


class _BuildAPIClient(docker.APIClient):
    """The low-level client for builds: no registry credentials, and a CPU quota the SDK cannot pass.

    The SDK would send the host's Docker config auths with every build, and
    its `container_limits` accepts no `cpuquota`/`cpuperiod` although the
    engine's build endpoint does; `build_limited` adds them to the request.
    """

    _cpu_params: dict[str, int] = {}

    def _set_auth_headers(self, headers: dict[str, str]) -> None:
        return None

    def _post(self, url: str, **kwargs: Any) -> Any:
        if url.endswith("/build") and self._cpu_params:
            kwargs["params"] = {**kwargs.get("params", {}), **self._cpu_params}
        return super()._post(url, **kwargs)

    def build_limited(self, cpu_quota: int, **kwargs: Any) -> Any:
        """`build` with the CPU quota; the request is sent before `build` returns its stream."""
        self._cpu_params = {"cpuquota": cpu_quota, "cpuperiod": CPU_PERIOD_US}
        try:
            return self.build(**kwargs)
        finally:
            self._cpu_params = {}


class DockerBuildRunner:
    """Builds, measures and smoke-tests images on the engine at `docker_host`."""

    def __init__(
        self, docker_host: str, log_dir: Path, network: BuildNetwork = "codi", api_timeout_s: int = 600
    ) -> None:
        self.client = docker.DockerClient(base_url=docker_host, timeout=api_timeout_s)
        self._build_api = _BuildAPIClient(base_url=docker_host, timeout=api_timeout_s)
        self.log_dir = log_dir
        self.network = network

    def network_mode(self) -> str:
        """The engine's name for the network builds and port tests use; makes `codi-builds` the first time.

        Raises BuildFailed when the engine cannot make it: falling back to the
        host's network silently would hand the build the host's interfaces.
        """
        if self.network != "codi":
            return self.network
        networks = self.build_networks()
        if networks:
            return self._one_build_network(networks)
        try:  # check_duplicate: the engine's own check against a second network of the name (best effort)
            self.client.networks.create(
                BUILD_NETWORK_NAME, driver="bridge", check_duplicate=True, labels={BUILD_NETWORK_LABEL: "builds"}
            )
        except docker.errors.APIError as exc:
            if "already exists" not in str(exc.explanation or exc):  # else another runner made it meanwhile
                raise BuildFailed(
                    f"the engine cannot create the Docker network {BUILD_NETWORK_NAME} ({exc.explanation or exc}); "
                    "on an engine without a bridge driver set CODI_BUILD_NETWORK=host (builds share the host's "
                    "network) or CODI_BUILD_NETWORK=none (no network, no port smoke test)",
                    "",
                ) from None
        return self._one_build_network(self.build_networks())

    def build_networks(self) -> list[Network]:
        """The engine's networks named exactly `codi-builds` (its name filter also matches longer names)."""
        return [network for network in self.client.networks.list(names=[BUILD_NETWORK_NAME])
                if network.name == BUILD_NETWORK_NAME]  # fmt: skip

    def _one_build_network(self, networks: list[Network]) -> str:
        """The network's name, once it names one network: runners that raced past the engine's duplicate check
        each made one (seen: every later build failed "network codi-builds is ambiguous"). Every runner keeps
        the oldest and removes codi's other ones; a network of that name codi did not make is left for its
        owner, and the build fails saying so."""
        foreign = []
        for extra in sorted(networks, key=lambda network: (network.attrs["Created"], network.id))[1:]:
            if (extra.attrs.get("Labels") or {}).get(BUILD_NETWORK_LABEL) != "builds":
                foreign.append(extra.id[:12])
                continue
            try:
                extra.remove()
            except docker.errors.NotFound:
                pass  # another runner removed it first
            except docker.errors.APIError as exc:  # a container still on it: the name stays ambiguous
                raise BuildFailed(
                    f"the engine has two networks named {BUILD_NETWORK_NAME} and codi cannot remove "
                    f"{extra.id[:12]} ({exc.explanation or exc})",
                    "",
                ) from None
        if foreign:
            raise BuildFailed(
                f"the engine has more than one network named {BUILD_NETWORK_NAME} and codi did not make "
                f"{', '.join(foreign)}; remove it (docker network rm) or set CODI_BUILD_NETWORK",
                "",
            )
        return BUILD_NETWORK_NAME

    def close(self) -> None:
        self.client.close()
        self._build_api.close()

    def build(
        self,
        dockerfile_text: str,
        context_dir: Path,
        tag: str,
        timeout_s: float,
        memory_limit: int,
        cpu_quota: int,
        log_path: Path | None = None,
    ) -> BuiltImage:
        """Builds the Dockerfile on the context (`.dockerignore` honoured) on `network_mode()`; raises BuildFailed.

        `memory_limit` is in bytes, `cpu_quota` in microseconds per CPU_PERIOD_US.
        The log is streamed as it arrives to `log_path` (default `log_dir/<tag>.log`).
        """
        if log_path is None:
            log_path = self.log_dir / (tag.replace("/", "_").replace(":", "_") + ".log")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        text, stripped = strip_cache_mounts(dockerfile_text)
        tail: deque[str] = deque(maxlen=400)
        cached_steps = 0
        error: str | None = None
        started = time.monotonic()
        with tempfile.TemporaryDirectory() as scratch, log_path.open("w", encoding="utf-8") as log:
            dockerfile = Path(scratch) / "Dockerfile"
            dockerfile.write_text(text, encoding="utf-8")
            if stripped:
                log.write("codi: RUN --mount=type=cache stripped (legacy builder, no BuildKit)\n")
            try:
                chunks = self._build_api.build_limited(
                    cpu_quota=cpu_quota,
                    path=str(context_dir),
                    dockerfile=str(dockerfile),
                    tag=tag,
                    network_mode=self.network_mode(),
                    rm=True,
                    forcerm=True,
                    buildargs={},
                    use_config_proxy=False,
                    container_limits={"memory": memory_limit, "memswap": memory_limit},
                    timeout=max(1, int(timeout_s)),
                    decode=True,
                )
                for chunk in chunks:
                    line = _chunk_text(chunk)
                    log.write(line)
                    log.flush()
                    tail.append(line)
                    cached_steps += line.count(" ---> Using cache")
                    if "error" in chunk:
                        error = str(chunk["error"]).strip()
                    if time.monotonic() - started > timeout_s:
                        chunks.close()
                        error = f"build exceeded its {timeout_s:g}s limit"
                        break
            except BuildFailed as failed:  # no network to build on
                error = failed.reason
            except docker.errors.APIError as exc:
                error = str(exc.explanation or exc)
            except docker.errors.DockerException as exc:
                error = str(exc)
            except OSError as exc:  # socket read timeout: the engine stopped sending.
                error = f"build exceeded its {timeout_s:g}s limit ({exc})"
            build_seconds = time.monotonic() - started
            if error is not None:
                log.write(f"codi: build failed: {error}\n")
        log_tail = "".join(tail)[-LOG_TAIL_CHARS:]
        if error is not None:
            raise BuildFailed(error, log_tail)
        return self._measure(tag, build_seconds, cached_steps, stripped, log_path)

    def _measure(
        self, tag: str, build_seconds: float, cached_steps: int, stripped: bool, log_path: Path
    ) -> BuiltImage:
        image = self.client.images.get(tag)
        history = list(reversed(image.history()))
        layer_sizes = tuple(int(entry["Size"]) for entry in history if _makes_layer(entry))
        exposed = image.attrs["Config"].get("ExposedPorts") or {}
        return BuiltImage(
            image_id=image.id,
            tag=tag,
            size_bytes=int(image.attrs["Size"]),
            layers=len(image.attrs["RootFS"]["Layers"]),
            layer_sizes=layer_sizes,
            build_seconds=round(build_seconds, 3),
            cached_steps=cached_steps,
            cache_mounts="stripped" if stripped else "none",
            log_path=log_path,
            exposed_ports=tuple(sorted(int(p.split("/")[0]) for p in exposed if p.endswith("/tcp"))),
        )

    def remove(self, image: BuiltImage) -> None:
        """Removes the image (vfs keeps a full copy per layer, so every measured image goes)."""
        try:
            self.client.images.remove(image.image_id, force=True)
        except docker.errors.ImageNotFound:
            pass

    def smoke_test(
        self,
        image: BuiltImage,
        memory_limit: int,
        cpu_quota: int,
        original_exit_code: int | None = None,
        port: int | None = None,
        command: list[str] | None = None,
        timeout_s: float = 60.0,
        stop_timeout_s: int = 10,
    ) -> SmokeResult:
        """Proves the image still works, in the issue's order: the configured command; else a port; else exit code.

        The port test runs on `network_mode()` and reaches the port at the
        container's address there (127.0.0.1 on `host`; `none` cannot test a
        port); every other run gets no network. Each container runs under the
        build's limits (`memory_limit` bytes, `cpu_quota` per CPU_PERIOD_US),
        SMOKE_PIDS_LIMIT, no capabilities, `no-new-privileges` and a read-only
        root with tmpfs on /tmp and /run; when that run fails (or, recorded
        only, exits non-zero) and its log says `Read-only file system`, it runs
        once more writable and the reason says so (the image needs a writable
        root). Containers are always removed.
        `original_exit_code` is the exit code the original image's run gave.
        Without it the exit-code test only records what the run did (its exit
        code, or that it kept running to the limit) and passes:
        `codi.pipeline.measured.judge` compares it with the original's run.
        """
        result = self._smoke_once(
            image, memory_limit, cpu_quota, original_exit_code, port, command, timeout_s, stop_timeout_s, True
        )
        read_only_failed = READ_ONLY_ERROR.lower() in result.log_tail.lower()
        if not read_only_failed or (result.passed and result.exit_code in (0, None)):
            return result  # a recorded run (exit-code test) that exited non-zero on EROFS counts as failed here
        rerun = self._smoke_once(
            image, memory_limit, cpu_quota, original_exit_code, port, command, timeout_s, stop_timeout_s, False
        )
        note = f"ran with a writable root: the read-only run hit {READ_ONLY_ERROR}"
        return replace(rerun, reason=note if rerun.reason is None else f"{rerun.reason}; {note}")

    def _smoke_once(
        self,
        image: BuiltImage,
        memory_limit: int,
        cpu_quota: int,
        original_exit_code: int | None,
        port: int | None,
        command: list[str] | None,
        timeout_s: float,
        stop_timeout_s: int,
        read_only: bool,
    ) -> SmokeResult:
        options = _SmokeOptions(memory_limit, cpu_quota, read_only)
        if command is not None:
            return self._run_to_exit(image, options, "command", command, 0, timeout_s)
        probe = port if port is not None else (image.exposed_ports[0] if image.exposed_ports else None)
        if probe is not None:
            return self._port_test(image, options, probe, timeout_s, stop_timeout_s)
        return self._run_to_exit(image, options, "exit-code", None, original_exit_code, timeout_s)

    def _create(
        self, image: BuiltImage, options: _SmokeOptions, network_mode: str, command: list[str] | None
    ) -> Container:
        """Creates the smoke-test container; the caller starts it inside the `try` whose `finally` removes it."""
        return self.client.containers.create(image.image_id, command=command, **options.container_kwargs(network_mode))

    def _run_to_exit(
        self,
        image: BuiltImage,
        options: _SmokeOptions,
        method: Literal["command", "exit-code"],
        command: list[str] | None,
        expected: int | None,
        timeout_s: float,
    ) -> SmokeResult:
        """Runs the image to its exit with no network; `expected` None records the outcome without judging it."""
        container = self._create(image, options, "none", command)
        try:
            container.start()
            try:
                status = container.wait(timeout=timeout_s)
            except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):  # the wait's limit passed
                if expected is None:
                    return SmokeResult(
                        method, True, f"still running after {timeout_s:g}s", None, None, _logs_tail(container)
                    )
                return SmokeResult(
                    method, False, f"did not exit within {timeout_s:g}s", None, None, _logs_tail(container)
                )
            exit_code = int(status["StatusCode"])
            if expected is None:
                return SmokeResult(method, True, None, exit_code, None, _logs_tail(container))
            passed = exit_code == expected
            reason = None if passed else f"exited {exit_code}, expected {expected}"
            return SmokeResult(method, passed, reason, exit_code, None, _logs_tail(container))
        finally:
            container.remove(force=True)

    def _port_test(
        self, image: BuiltImage, options: _SmokeOptions, port: int, timeout_s: float, stop_timeout_s: int
    ) -> SmokeResult:
        if self.network == "none":
            reason = f"port {port} cannot be tested: CODI_BUILD_NETWORK=none gives the container no network"
            return SmokeResult("port", False, reason, None, None, "")
        try:
            network_mode = self.network_mode()
        except BuildFailed as failed:
            return SmokeResult("port", False, failed.reason, None, None, "")
        if network_mode == "host" and _accepts("127.0.0.1", port):
            return SmokeResult("port", False, f"port {port} already in use on the build host", None, None, "")
        container = self._create(image, options, network_mode, None)
        try:
            container.start()
            deadline = time.monotonic() + timeout_s
            reason = _wait_until_serving(container, network_mode, port, deadline)
            if reason is not None:
                return SmokeResult("port", False, reason, _exit_code(container), None, _logs_tail(container))
            signalled = time.monotonic()
            container.stop(timeout=stop_timeout_s)
            stop_seconds = round(time.monotonic() - signalled, 3)
            return SmokeResult("port", True, None, None, stop_seconds, _logs_tail(container))
        finally:
            container.remove(force=True)


@dataclass(frozen=True)
class _SmokeOptions:
    """How a smoke-test container is confined: the build's memory and CPU limits and nothing it does not need."""

    memory_limit: int
    cpu_quota: int
    read_only: bool

    def container_kwargs(self, network_mode: str) -> dict[str, Any]:
        return {
            "network_mode": network_mode,
            "mem_limit": self.memory_limit,
            "memswap_limit": self.memory_limit,
            "cpu_period": CPU_PERIOD_US,
            "cpu_quota": self.cpu_quota,
            "pids_limit": SMOKE_PIDS_LIMIT,
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "read_only": self.read_only,
            "tmpfs": SMOKE_TMPFS if self.read_only else {},
        }


def _chunk_text(chunk: dict[str, Any]) -> str:
    """One build-stream message as log text."""
    if "stream" in chunk:
        return str(chunk["stream"])
    if "error" in chunk:
        return f"ERROR: {chunk['error']}\n"
    return f"{chunk.get('status', '')} {chunk.get('progress', '')}".rstrip() + "\n"


def _makes_layer(entry: dict[str, Any]) -> bool:
    """Whether a history entry made a filesystem layer: metadata steps (`#(nop) ENV …`) are empty and make none."""
    created_by = str(entry.get("CreatedBy") or "")
    if "#(nop) " not in created_by:
        return True
    step = created_by.split("#(nop) ", 1)[1].lstrip()
    return step.startswith(("COPY", "ADD")) or int(entry["Size"]) > 0


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _wait_until_serving(container: Container, network_mode: str, port: int, deadline: float) -> str | None:
    """Waits for the port to accept and a HEALTHCHECK (if any) to pass; the reason it did not, or None."""
    while time.monotonic() < deadline:
        container.reload()
        state = container.attrs["State"]
        if not state["Running"]:
            return f"exited {state['ExitCode']} before port {port} accepted a connection"
        health = state.get("Health")
        if _accepts(_address(container, network_mode), port) and (health is None or health["Status"] == "healthy"):
            return None
        time.sleep(PORT_POLL_SECONDS)
    return f"port {port} did not accept a connection (and pass HEALTHCHECK) in time"


def _address(container: Container, network_mode: str) -> str:
    """Where the build host reaches the (reloaded) container: loopback on `host`, else its IP on that network."""
    if network_mode == "host":
        return "127.0.0.1"
    return str(container.attrs["NetworkSettings"]["Networks"][network_mode]["IPAddress"])


def _exit_code(container: Container) -> int | None:
    container.reload()
    state = container.attrs["State"]
    return None if state["Running"] else int(state["ExitCode"])


def _logs_tail(container: Container) -> str:
    return container.logs(tail=200).decode("utf-8", "replace")[-LOG_TAIL_CHARS:]
