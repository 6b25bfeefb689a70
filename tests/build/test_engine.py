"""The engine builds FROM the offline debian:bookworm-slim with host networking and runs without network."""

import io
import os

import docker

DOCKERFILE = b"""FROM debian:bookworm-slim
RUN echo built > /built
CMD ["sh", "-c", "cat /built && ls /sys/class/net"]
"""


def test_builds_from_offline_base_and_runs_without_network(docker_client: docker.DockerClient) -> None:
    tag = f"codi-test/engine:{os.getpid()}"
    image, _ = docker_client.images.build(
        fileobj=io.BytesIO(DOCKERFILE), tag=tag, network_mode="host", rm=True, forcerm=True
    )
    try:
        output = docker_client.containers.run(image.id, network_mode="none", remove=True)
        # "lo" alone: the container had no network interface but loopback.
        assert output.decode() == "built\nlo\n"
        assert image.attrs["Config"]["Cmd"] == ["sh", "-c", "cat /built && ls /sys/class/net"]
    finally:
        docker_client.images.remove(image.id, force=True)
