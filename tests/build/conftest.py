"""Build tests get the real engine's fixtures (tests/build/engine.py)."""

from tests.build.engine import docker_client, docker_host, host_build_runner  # noqa: F401  (fixtures)
