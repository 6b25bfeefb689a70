"""Build contexts from GitHub's archive: top folder stripped, unpacked once, unsafe archives refused."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from codi.worker import contexts
from codi.worker.contexts import ContextRefused, context_root, unpack_archive


def _archive(members: dict[str, bytes], top: str = "acme-app-0123456", links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        folder = tarfile.TarInfo(top)
        folder.type = tarfile.DIRTYPE
        archive.addfile(folder)
        for name, data in members.items():
            member = tarfile.TarInfo(f"{top}/{name}" if top else name)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
        for name, target in (links or {}).items():
            link = tarfile.TarInfo(f"{top}/{name}")
            link.type, link.linkname = tarfile.SYMTYPE, target
            archive.addfile(link)
    return buffer.getvalue()


def test_archive_is_unpacked_without_its_top_folder_once(tmp_path: Path) -> None:
    root = context_root(tmp_path, "acme", "app", "0123456789")
    assert root == tmp_path / "contexts" / "acme" / "app" / "0123456789"
    unpack_archive(_archive({"Dockerfile": b"FROM debian\n", "svc/app.py": b"print()\n"}), root)
    assert (root / "Dockerfile").read_text() == "FROM debian\n" and (root / "svc" / "app.py").is_file()
    # A second unpack of the same commit keeps the folder (and does not read the archive).
    assert unpack_archive(b"not even an archive", root) == root
    assert [p.name for p in root.parent.iterdir()] == ["0123456789"]  # no scratch folders left


def test_broken_archive_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    root = tmp_path / "ctx"
    with pytest.raises(ContextRefused, match="cannot be unpacked"):
        unpack_archive(b"\x1f\x8b garbage", root)
    assert not root.exists() and list(tmp_path.iterdir()) == []


def test_paths_escaping_the_context_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ContextRefused):
        unpack_archive(_archive({"../../escape": b"x"}), tmp_path / "a")
    with pytest.raises(ContextRefused):  # a link out of the folder
        unpack_archive(_archive({}, links={"etc": "/etc"}), tmp_path / "b")
    assert not (tmp_path / "escape").exists() and not (tmp_path / "b").exists()


def test_oversized_archive_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contexts, "MAX_CONTEXT_BYTES", 10)
    with pytest.raises(ContextRefused, match="more than"):
        unpack_archive(_archive({"big": b"x" * 11}), tmp_path / "c")
