"""The slim candidate of a dnf-based Dockerfile builds and does what its changes claim, on the real engine.

Slim merges consecutive RUNs that only install rpm packages into one, has `dnf install` skip documentation
(`--nodocs`) and weak dependencies (`--setopt=install_weak_deps=0`) and ends the RUN with `dnf clean all`.
No Fedora/RHEL image or rpm repository is reachable here, so Debian's own dnf (4.14) and rpm stand in for
Fedora's: a base image made from tests/data/rpm builds three tiny noarch rpms with rpmbuild and serves them
from a local repository (codi-demo ships a program and a %doc README and recommends codi-extra). The original
and the candidate are built on it without a network, then run: the original has the README, codi-extra and
dnf's repository metadata (dnf's defaults, so each check can fail), the candidate has codi-demo working and
none of the three, in fewer layers and fewer bytes. The base is kept on the engine under a tag named by its
files' digest, so a later run only inspects it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from codi.pipeline.optimize.optimizer import optimize
from codi.worker.build import BuiltImage, DockerBuildRunner
from tests.build.engine import build_or_fail

DATA = Path(__file__).resolve().parents[1] / "data" / "rpm"
ORIGINAL = """\
FROM {base}
RUN dnf install -y codi-demo
RUN dnf install -y codi-other
CMD ["codi-demo"]
"""
STATE = """\
echo "runs: $(codi-demo)"
rpm -qa --qf 'installed: %{NAME}\\n'
test ! -e /usr/share/doc/codi-demo/README || echo 'doc: README'
[ ! -d /var/cache/dnf ] || find /var/cache/dnf -type f -printf 'cache: %f\\n'
"""
"""What an image holds, one `kind: value` a line: codi-demo's output, the rpms, its doc file, dnf's cache."""
CLEANED_CACHE = {"expired_repos.json", "tempfiles.json"}
"""What `dnf clean all` leaves in /var/cache/dnf: its bookkeeping, no repository metadata (repomd.xml, *.solv)."""


@pytest.fixture
def dnf_base(host_build_runner: DockerBuildRunner, docker_client: docker.DockerClient, tmp_path: Path) -> str:
    """The tag of the base made from tests/data/rpm (Debian's mirror, host network), built only when missing."""
    digest = hashlib.sha256()
    for path in sorted(DATA.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    tag = f"codi-test/dnf-base:{digest.hexdigest()[:12]}"
    try:
        docker_client.images.get(tag)
    except docker.errors.ImageNotFound:
        shutil.copytree(DATA, tmp_path / "base")
        build_or_fail(host_build_runner, (DATA / "base.Dockerfile").read_text(), tmp_path / "base", tag)
    return tag


@pytest.fixture
def offline_runner(docker_host: str, tmp_path: Path) -> Iterator[DockerBuildRunner]:
    """A build runner with no network: the rpms can only come from the base's local repository."""
    runner = DockerBuildRunner(docker_host, tmp_path / "logs", "none")
    yield runner
    runner.close()


def _state(client: docker.DockerClient, image: BuiltImage) -> dict[str, set[str]]:
    """STATE's lines of a container of `image`, by kind."""
    output = client.containers.run(image.image_id, ["sh", "-c", STATE], network_mode="none", remove=True)
    state: dict[str, set[str]] = {"runs": set(), "installed": set(), "doc": set(), "cache": set()}
    for line in output.decode().splitlines():
        kind, _, value = line.partition(": ")
        state[kind].add(value)
    return state


def test_the_dnf_slim_candidate_skips_docs_weak_deps_and_the_cache(
    dnf_base: str, offline_runner: DockerBuildRunner, docker_client: docker.DockerClient, tmp_path: Path
) -> None:
    original_text = ORIGINAL.format(base=dnf_base)
    (candidate,) = [c for c in optimize("Dockerfile", original_text).candidates if c.strategy == "slim"]
    assert {"layers", "os-packages"} <= {change.kind for change in candidate.changes}
    tag = f"codi-test/rpm-slim:{os.getpid()}"
    context = tmp_path / "context"  # empty: the Dockerfiles COPY nothing
    context.mkdir()
    images = [build_or_fail(offline_runner, original_text, context, f"{tag}-original")]
    try:
        images.append(build_or_fail(offline_runner, candidate.dockerfile, context, f"{tag}-slim"))
        original, slim = (_state(docker_client, image) for image in images)
        assert original["runs"] == {"codi-demo runs"}, original
        assert original["installed"] == {"codi-demo", "codi-extra", "codi-other"}, "dnf installs weak deps"
        assert original["doc"] == {"README"}, "dnf installs documentation"
        assert "repomd.xml" in original["cache"], original["cache"]
        assert slim["runs"] == {"codi-demo runs"}, candidate.dockerfile
        assert slim["installed"] == {"codi-demo", "codi-other"}, candidate.dockerfile
        assert not slim["doc"], candidate.dockerfile
        assert slim["cache"] <= CLEANED_CACHE, candidate.dockerfile
        before, after = images
        print(f"dnf: original {before.layers} layers, {before.size_bytes} B; slim {after.layers}, {after.size_bytes} B")
        assert after.layers < before.layers
        assert after.size_bytes < before.size_bytes
    finally:
        for image in images:
            offline_runner.remove(image)
