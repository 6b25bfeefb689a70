"""Build contexts on disk: a pull request's head commit unpacked once, where the build workers can read it.

GitHub's archive has every file under one top folder (`owner-repo-sha7/`);
it is stripped, so a Dockerfile's folder in the repository is the same
folder under the context root. Each review unpacks its own copy
(`context_root`), so no review's cleanup reaches another's. Unpacking goes to a
temporary folder renamed into place, so a reader never sees half a context.

The archive is the pull request author's to shape, so it is bounded before
anything is written: the download is streamed to a file and cut off past
`ContextLimits.archive_bytes`; entries and unpacked bytes are counted from the
headers before extraction; hard links are refused outright. tarfile's `data`
filter then refuses absolute paths, `..`, symlinks out of the folder, device
files and fifos. Contexts are removed once their builds are collected, and
`sweep_contexts` removes whatever a crashed or cancelled job left behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tarfile
import tempfile
import time
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path

from codi.settings import Settings

MAX_HEADER_BYTES = 1024**2
"""A pax or GNU long-name header (a long path, the commit id GitHub notes) is never near this; tarfile reads one whole
into memory before any member is seen, so a larger one (a few KiB of gzip can say gigabytes) is refused first."""
SCRATCH_PREFIX = "."
"""Downloads, half-unpacked and half-removed contexts are dot-names beside the contexts (sha names never are)."""


@dataclass(frozen=True)
class ContextLimits:
    """What one archive may hold; past any of these it is refused (a bomb, or a repository to build elsewhere)."""

    archive_bytes: int = 256 * 1024**2
    entries: int = 50_000
    unpacked_bytes: int = 1024**3

    @classmethod
    def of(cls, settings: Settings) -> ContextLimits:
        return cls(settings.context_max_archive_bytes, settings.context_max_entries, settings.context_max_bytes)


class ContextRefused(ValueError):
    """The archive cannot be used as a build context; the message says why."""


def context_root(data_dir: Path, owner: str, repo: str, sha: str, review: str) -> Path:
    """The folder of one review's context of `sha`: `<sha>-<digest of the review's job id>`.

    Each review has its own, so one review removing its context once its builds are collected never takes
    another's away while that one still builds (two reviews of one commit: a rerun, an approval). A retried
    job has the same id, so it finds what its earlier try unpacked and enqueues the same build jobs.
    """
    digest = hashlib.sha256(review.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return data_dir / "contexts" / owner / repo / f"{sha}-{digest}"


async def fetch_context(archive: AsyncGenerator[bytes, None], root: Path, limits: ContextLimits) -> Path:
    """The commit's context at `root`, from `archive`'s chunks unless it is there already (then nothing is read).

    The chunks go to a file beside `root`, never all in memory, and the file is removed whatever happens.
    """
    async with aclosing(archive):
        if root.is_dir():
            os.utime(root)  # in use again: the sweep counts a context's age from its last use
            return root
        root.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=root.parent, prefix=f"{SCRATCH_PREFIX}{root.name}.", suffix=".tar.gz")
        path = Path(name)
        try:
            with os.fdopen(handle, "wb") as file:
                size = 0
                async for chunk in archive:
                    size += len(chunk)
                    if size > limits.archive_bytes:
                        raise ContextRefused(f"the repository archive is larger than {_size(limits.archive_bytes)}")
                    file.write(chunk)
            return await asyncio.to_thread(unpack_archive, path, root, limits)
        finally:
            path.unlink(missing_ok=True)


def unpack_archive(archive: Path, destination: Path, limits: ContextLimits) -> Path:
    """Unpacks GitHub's tar.gz of one commit into `destination` (top folder stripped) unless it is there already."""
    if destination.is_dir():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=destination.parent, prefix=f"{SCRATCH_PREFIX}{destination.name}."))
    try:
        try:
            with tarfile.open(archive, mode="r:*", tarinfo=_BoundedHeaders) as tar:
                members = _checked(tar, limits)
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


class _BoundedHeaders(tarfile.TarInfo):
    """Members whose pax or GNU long-name header is bounded by MAX_HEADER_BYTES (tarfile's `tarinfo` hook)."""

    _EXTENDED = (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE, tarfile.GNUTYPE_LONGNAME,
                 tarfile.GNUTYPE_LONGLINK)  # fmt: skip

    def _proc_member(self, tar: tarfile.TarFile) -> tarfile.TarInfo:
        if self.type in self._EXTENDED and self.size > MAX_HEADER_BYTES:
            raise ContextRefused(f"the repository archive has a header of {_size(self.size)}")
        return super()._proc_member(tar)  # type: ignore[misc]  (tarfile's own dispatch, private)


def _checked(tar: tarfile.TarFile, limits: ContextLimits) -> list[tarfile.TarInfo]:
    """The members, top folder stripped, read one header at a time so that a refusal stops the reading."""
    members = []
    total = 0
    for count, member in enumerate(tar, start=1):
        if count > limits.entries:
            raise ContextRefused(f"the repository archive has more than {limits.entries} entries")
        if member.islnk():  # the data filter allows hard links inside the folder; a context never needs one
            raise ContextRefused(f"the repository archive holds a hard link ({member.name})")
        _, _, inner = member.name.partition("/")
        if not inner or member.name.startswith("/"):
            continue
        total += member.size
        if total > limits.unpacked_bytes:
            raise ContextRefused(f"the repository archive unpacks to more than {_size(limits.unpacked_bytes)}")
        members.append(member.replace(name=inner, deep=False))
    return members


def remove_context(root: Path) -> None:
    """Removes a context: renamed aside first, so a reader finds it whole or not at all (then fetches it again)."""
    aside = root.with_name(f"{SCRATCH_PREFIX}{root.name}.removed-{os.getpid()}-{time.monotonic_ns()}")
    try:
        root.rename(aside)
    except FileNotFoundError:
        return
    shutil.rmtree(aside, ignore_errors=True)


def sweep_contexts(data_dir: Path, max_age_s: float) -> list[Path]:
    """Removes contexts unused for `max_age_s` and scratch left by a crashed or cancelled job; what it removed.

    A context still in use is touched by `fetch_context` when used and is younger than any job's timeout.
    """
    cutoff = time.time() - max_age_s
    removed = []
    for entry in (data_dir / "contexts").glob("*/*/*"):
        try:
            if entry.lstat().st_mtime >= cutoff:
                continue
        except FileNotFoundError:  # another sweep, or the review itself, removed it meanwhile
            continue
        if entry.is_dir() and not entry.is_symlink():
            remove_context(entry)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def _size(size: int) -> str:
    return f"{size / 1024**2:g} MiB" if size >= 1024**2 else f"{size} bytes"
