"""Build contexts on disk: a pull request's head commit unpacked once, where the build workers can read it.

GitHub's archive has every file under one top folder (`owner-repo-sha7/`);
it is stripped, so a Dockerfile's folder in the repository is the same
folder under the context root. Unpacking goes to a temporary folder renamed
into place, so a reader never sees half a context, and two workers unpacking
the same commit both end with the same complete folder. tarfile's `data`
filter refuses absolute paths, `..`, links out of the folder and device files.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
from pathlib import Path

MAX_CONTEXT_BYTES = 1024**3
"""A context whose files add up to more than this is refused (an archive bomb, or a repository to build elsewhere)."""


class ContextRefused(ValueError):
    """The archive cannot be used as a build context; the message says why."""


def context_root(data_dir: Path, owner: str, repo: str, sha: str) -> Path:
    return data_dir / "contexts" / owner / repo / sha


def unpack_archive(archive: bytes, destination: Path) -> Path:
    """Unpacks GitHub's tar.gz of one commit into `destination` (top folder stripped) unless it is there already."""
    if destination.is_dir():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=destination.parent, prefix=f".{destination.name}."))
    try:
        try:
            with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
                members = _stripped(tar)
                tar.extractall(scratch, members=members, filter="data")
        except (tarfile.TarError, OSError, EOFError) as error:
            raise ContextRefused(f"the repository archive cannot be unpacked: {error}") from None
        try:
            scratch.rename(destination)
        except OSError:  # another worker finished first: its folder is the same commit
            if not destination.is_dir():
                raise
    finally:
        if scratch.exists():
            shutil.rmtree(scratch, ignore_errors=True)
    return destination


def _stripped(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    total = 0
    for member in tar.getmembers():
        _, _, inner = member.name.partition("/")
        if not inner or member.name.startswith("/"):
            continue
        total += member.size
        if total > MAX_CONTEXT_BYTES:
            raise ContextRefused(f"the repository archive unpacks to more than {MAX_CONTEXT_BYTES // 1024**2} MiB")
        members.append(member.replace(name=inner, deep=False))
    return members
