"""CLI tests that build get the real engine's fixtures (tests/build/engine.py)."""

from tests.build.engine import docker_host  # noqa: F401  (fixture)
