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
