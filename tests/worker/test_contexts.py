"""Build contexts from GitHub's archive: top folder stripped, unpacked once, unsafe or oversized archives refused
with nothing left on disk, stale contexts swept."""

from __future__ import annotations

import asyncio
import io
import os
import tarfile
import time
from collections.abc import AsyncGenerator
from pathlib import Path

import pytest

from codi.worker.contexts import (
    ContextLimits,
    ContextRefused,
    context_root,
    fetch_context,
    remove_context,
    sweep_contexts,
    unpack_archive,
)

TOP = "acme-app-0123456"
REVIEW = "review:acme/app#1@0123456789"
LIMITS = ContextLimits()


def _archive(members: list[tarfile.TarInfo | tuple[str, bytes]], top: str = TOP) -> bytes:
    """A tar.gz as GitHub makes it (one top folder); a TarInfo is added as it is (links, devices), under `top`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        folder = tarfile.TarInfo(top)
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                archive.addfile(member.replace(name=f"{top}/{member.name}", deep=False))
            else:
                name, data = member
                info = tarfile.TarInfo(f"{top}/{name}")
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _special(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, linkname
    return member


async def _chunks(data: bytes, size: int = 1000) -> AsyncGenerator[bytes, None]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def _fetch(data: bytes, root: Path, limits: ContextLimits = LIMITS) -> Path:
    return asyncio.run(fetch_context(_chunks(data), root, limits))


def _left(tmp_path: Path) -> list[Path]:
    """Every file and folder under `tmp_path`."""
    return sorted(tmp_path.rglob("*"))


def test_archive_is_unpacked_without_its_top_folder_once(tmp_path: Path) -> None:
    root = context_root(tmp_path, "acme", "app", "0123456789", REVIEW)
    assert root.parent == tmp_path / "contexts" / "acme" / "app" and root.name.startswith("0123456789-")
    _fetch(_archive([("Dockerfile", b"FROM debian\n"), ("svc/app.py", b"print()\n")]), root)
    assert (root / "Dockerfile").read_text() == "FROM debian\n" and (root / "svc" / "app.py").is_file()
    assert [p.name for p in root.parent.iterdir()] == [root.name]  # no download or scratch folder left
    # The same review fetching again (a retried job) keeps the folder without reading the archive, marked used now.
    os.utime(root, (1, 1))
    assert _fetch(b"not even an archive", root) == root
    assert root.stat().st_mtime > time.time() - 60


def test_each_review_of_a_commit_has_its_own_context_that_the_others_cleanup_leaves(tmp_path: Path) -> None:
    """A rerun and the first review of one commit, both building: the first one done removes only its own."""
    archive = _archive([("Dockerfile", b"FROM debian\n"), ("svc/app.py", b"print()\n")])
    first, rerun = (context_root(tmp_path, "acme", "app", "0123456789", f"{REVIEW}{tail}") for tail in ("", ":d-2"))
    assert first != rerun and first.parent == rerun.parent
    assert context_root(tmp_path, "acme", "app", "0123456789", REVIEW) == first  # a retried job: its own again
    for root in (first, rerun):
        assert _fetch(archive, root) == root
    remove_context(first)
    assert not first.exists()
    assert (rerun / "Dockerfile").read_text() == "FROM debian\n" and (rerun / "svc" / "app.py").is_file()
    assert [p.name for p in rerun.parent.iterdir()] == [rerun.name]


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([("../../escape", b"x")], "outside the destination"),
        ([_special("etc", tarfile.SYMTYPE, "/etc")], "link to an absolute path"),
        ([_special("up", tarfile.SYMTYPE, "../../..")], "outside the destination"),
        ([("Dockerfile", b"FROM x\n"), _special("copy", tarfile.LNKTYPE, f"{TOP}/Dockerfile")], "hard link .*copy"),
        ([("Dockerfile", b"FROM x\n"), _special("null", tarfile.CHRTYPE)], "'null' is a special file"),
        ([_special("disk", tarfile.BLKTYPE)], "'disk' is a special file"),
        ([_special("pipe", tarfile.FIFOTYPE)], "'pipe' is a special file"),
    ],
    ids=["dot-dot", "absolute-symlink", "escaping-symlink", "hard-link", "char-device", "block-device", "fifo"],
)
def test_unsafe_archives_are_refused_and_leave_nothing(
    tmp_path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]], message: str
) -> None:
    root = context_root(tmp_path / "data", "acme", "app", "0123456789", REVIEW)
    with pytest.raises(ContextRefused, match=message):
        _fetch(_archive(members), root)
    assert [p.relative_to(tmp_path) for p in _left(tmp_path)] == [
        Path("data"), Path("data/contexts"), Path("data/contexts/acme"), Path("data/contexts/acme/app")
    ]  # fmt: skip
    assert not (tmp_path / "escape").exists()


def test_broken_archive_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    root = tmp_path / "ctx"
    with pytest.raises(ContextRefused, match="cannot be unpacked"):
        _fetch(b"\x1f\x8b garbage", root)
    assert _left(tmp_path) == []


def test_archive_over_the_download_cap_is_cut_off(tmp_path: Path) -> None:
    data = _archive([("blob", os.urandom(5000))])
    read: list[int] = []

    async def counted() -> AsyncGenerator[bytes, None]:
        async for chunk in _chunks(data):
            read.append(len(chunk))
            yield chunk

    with pytest.raises(ContextRefused, match="archive is larger than 4000 bytes"):
        asyncio.run(fetch_context(counted(), tmp_path / "ctx", ContextLimits(archive_bytes=4000)))
    assert sum(read) <= 5000 < len(data)  # the download stopped at the cap, not at the end
    assert _left(tmp_path) == []


def test_too_many_entries_are_refused(tmp_path: Path) -> None:
    data = _archive([(f"f{i}", b"") for i in range(11)])
    _fetch(data, tmp_path / "fits", ContextLimits(entries=12))  # 11 files and the top folder
    with pytest.raises(ContextRefused, match="more than 11 entries"):
        _fetch(data, tmp_path / "ctx", ContextLimits(entries=11))
    assert [p.name for p in tmp_path.iterdir()] == ["fits"]


def test_unpacked_size_over_the_cap_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    data = _archive([("small", b"x" * 10), ("bomb", b"\0" * 100_000)])  # 100 kB of zeros: a few hundred bytes gzipped
    with pytest.raises(ContextRefused, match="unpacks to more than 100000 bytes"):
        _fetch(data, tmp_path / "ctx", ContextLimits(unpacked_bytes=100_000))
    assert _left(tmp_path) == []


def test_unpack_reads_an_archive_file(tmp_path: Path) -> None:
    archive = tmp_path / "a.tar.gz"
    archive.write_bytes(_archive([("Dockerfile", b"FROM scratch\n")]))
    root = unpack_archive(archive, tmp_path / "ctx", LIMITS)
    assert (root / "Dockerfile").read_text() == "FROM scratch\n"


def test_sweep_removes_stale_contexts_and_scratch_and_keeps_fresh_ones(tmp_path: Path) -> None:
    stale, fresh = (context_root(tmp_path, "acme", "app", sha * 40, REVIEW) for sha in "ab")
    for root in (stale, fresh):
        (root / "svc").mkdir(parents=True)
        (root / "svc" / "Dockerfile").write_text("FROM scratch\n")
    download = stale.parent / f".{'c' * 40}.x1.tar.gz"
    download.write_bytes(b"half an archive")
    scratch = tmp_path / "contexts" / "other" / "repo" / f".{'d' * 40}.x2"
    scratch.mkdir(parents=True)
    hours_ago = time.time() - 7 * 3600
    for path in (stale, download, scratch):
        os.utime(path, (hours_ago, hours_ago))
    os.utime(fresh, (time.time() - 5 * 3600,) * 2)

    removed = sweep_contexts(tmp_path, max_age_s=6 * 3600)

    assert sorted(removed) == sorted([stale, download, scratch])
    assert not stale.exists() and not download.exists() and not scratch.exists()
    assert (fresh / "svc" / "Dockerfile").read_text() == "FROM scratch\n"
    assert list(stale.parent.iterdir()) == [fresh]  # nothing renamed aside is left either
    assert sweep_contexts(tmp_path / "nothing-here", max_age_s=1) == []


def test_an_oversized_pax_header_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """tarfile would read the whole header into memory: 2 MiB here, gigabytes in a bomb (it gzips to almost nothing)."""
    member = tarfile.TarInfo(f"{TOP}/Dockerfile")
    member.pax_headers = {"comment": "x" * 2 * 1024**2}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        archive.addfile(member, io.BytesIO(b""))
    with pytest.raises(ContextRefused, match=r"has a header of 2\.\d+ MiB"):
        _fetch(buffer.getvalue(), tmp_path / "ctx")
    assert _left(tmp_path) == []
