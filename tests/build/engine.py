"""A real Docker engine for the build tests: scripts/engine starts (or finds) one, scripts/bases makes the
offline base images on it (debian:bookworm-slim, python:3.11, node:18, golang:1.19, distroless …).

No registry is reachable here, so the tests build only FROM those images. Both scripts are idempotent: a
warm run costs a `docker version` plus one `docker image inspect` per image."""

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from codi.worker.build import BuildFailed, BuiltImage, DockerBuildRunner

ROOT = Path(__file__).resolve().parents[2]


def _run_script(name: str, env: dict[str, str]) -> str:
    """Runs scripts/NAME and returns its stdout; a failure fails the test with the script's stderr tail."""
    done = subprocess.run([ROOT / "scripts" / name], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"scripts/{name} exited {done.returncode}:\n{done.stderr[-4000:]}", pytrace=False)
    return done.stdout


@pytest.fixture(scope="session")
def docker_host() -> str:
    """The DOCKER_HOST of an engine that answers and holds the offline base images."""
    host = _run_script("engine", dict(os.environ)).strip().splitlines()[-1]
    _run_script("bases", {**os.environ, "DOCKER_HOST": host})
    return host


@pytest.fixture(scope="session")
def docker_client(docker_host: str) -> Iterator[docker.DockerClient]:
    """A Docker SDK client on that engine."""
    client = docker.DockerClient(base_url=docker_host, timeout=600)
    yield client
    client.close()


MB = 1024 * 1024


@pytest.fixture
def host_build_runner(docker_host: str, tmp_path: Path) -> Iterator[DockerBuildRunner]:
    """A build runner on the host network (packages from PyPI/npm/Debian), its logs in the test's folder."""
    runner = DockerBuildRunner(docker_host, tmp_path / "logs", "host")
    yield runner
    runner.close()


def build_or_fail(runner: DockerBuildRunner, text: str, context: Path, tag: str) -> BuiltImage:
    """Build `text` in `context`, or fail the test with the Dockerfile, the reason and the log's tail."""
    try:
        return runner.build(text, context, tag, timeout_s=900, memory_limit=2048 * MB, cpu_quota=200_000)
    except BuildFailed as failed:
        pytest.fail(f"{tag} does not build:\n{text}\n{failed.reason}\n{failed.log_tail[-3000:]}")
