"""What an image's layers hold, from its `docker save` archive: wasted bytes, efficiency, final files.

Pure over layer file lists (`layer_from_members` makes one from a layer tar's members, which
`scan.read_image_archive` reads in the same pass as the secrets and the SBOM files), so the analysis
is tested on hand-made layers. Paths are absolute ("/app/main.py"), directories included.
"""

from __future__ import annotations

import posixpath
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
"""The overlay markers in a layer tar: `.wh.NAME` deletes NAME below; this one hides a directory's lower contents."""


@dataclass(frozen=True)
class LayerFile:
    """One entry a layer adds or replaces; `size` is the tar header's (0 for directories and links)."""

    path: str
    size: int
    is_dir: bool = False


@dataclass(frozen=True)
class Layer:
    """A layer's file list: what it adds, what it deletes from the layers below, which directories it makes opaque."""

    files: tuple[LayerFile, ...]
    whiteouts: tuple[str, ...] = ()
    """Paths (files or whole directories) deleted from the layers below."""
    opaque_dirs: tuple[str, ...] = ()
    """Directories whose contents from the layers below are hidden (the directory itself stays)."""


@dataclass(frozen=True)
class WastedPath:
    """A file path with more than one copy across the layers, or deleted by a later layer."""

    path: str
    copies: int
    """Layers that add the file, plus the layer that deletes it, if one does."""
    wasted_bytes: int
    """The bytes of every copy, the one in the final image included (dive's figure)."""


@dataclass(frozen=True)
class LayerWaste:
    """dive's wasted bytes and efficiency score for an image."""

    wasted_bytes: int
    efficiency: float
    """Sum over file paths of the smallest copy / sum of every copy; 1.0 when nothing is stored twice."""
    wasted_paths: tuple[WastedPath, ...]
    """Largest waste first, then by path."""


FileSystem = Mapping[str, LayerFile]
"""A filesystem view: absolute path → the entry that provides it."""


def _normal(path: str) -> str:
    """An absolute, normalised path for a tar member name ("./usr/bin/" → "/usr/bin")."""
    return posixpath.normpath("/" + path.lstrip("/"))


def _under(path: str, directory: str) -> bool:
    """Whether `path` is `directory` or lies inside it."""
    return directory == "/" or path == directory or path.startswith(directory + "/")


def layer_from_members(members: Iterable[tarfile.TarInfo]) -> Layer:
    """A layer's file list from its tar members: whiteout and opaque markers become deletions, not files."""
    files: list[LayerFile] = []
    whiteouts: list[str] = []
    opaque: list[str] = []
    for member in members:
        path = _normal(member.name)
        parent, name = posixpath.split(path)
        if name == OPAQUE_MARKER:
            opaque.append(parent)
        elif name.startswith(WHITEOUT_PREFIX):
            whiteouts.append(posixpath.join(parent, name[len(WHITEOUT_PREFIX) :]))
        elif path != "/":
            files.append(LayerFile(path, member.size if member.isreg() else 0, member.isdir()))
    return Layer(tuple(files), tuple(sorted(whiteouts)), tuple(sorted(opaque)))


def _apply(filesystem: dict[str, LayerFile], layer: Layer) -> list[str]:
    """Stacks `layer` onto `filesystem` in place; returns the lower non-directory paths it removed.

    Removals are the whiteouts, the contents of opaque directories, and entries whose type
    changes (a file over a directory hides everything under it; a directory over a file).
    """
    hidden: set[str] = set()
    for directory in layer.opaque_dirs:
        hidden.update(p for p in filesystem if p != directory and _under(p, directory))
    for deleted in layer.whiteouts:
        hidden.update(p for p in filesystem if _under(p, deleted))
    for entry in layer.files:
        lower = filesystem.get(entry.path)
        if lower is not None and lower.is_dir and not entry.is_dir:
            hidden.update(p for p in filesystem if p != entry.path and _under(p, entry.path))
        elif lower is not None and not lower.is_dir and entry.is_dir:
            hidden.add(entry.path)
    removed = sorted(p for p in hidden if not filesystem[p].is_dir)
    for path in hidden:
        del filesystem[path]
    for entry in layer.files:
        filesystem[entry.path] = entry
    return removed


def final_filesystem(layers: Iterable[Layer]) -> dict[str, LayerFile]:
    """The image's filesystem: the layers applied bottom first (whiteouts and opaque dirs hide what is below)."""
    filesystem: dict[str, LayerFile] = {}
    for layer in layers:
        _apply(filesystem, layer)
    return dict(sorted(filesystem.items()))


def layer_waste(layers: Iterable[Layer]) -> LayerWaste:
    """Wasted bytes and efficiency the way dive computes them.

    Every file path (directories carry no bytes) collects a copy from each layer that adds it,
    and a 0-byte copy from a later layer that deletes it (a whiteout of it or of a directory
    above it, or an opaque directory above it). A path with two or more copies wastes the bytes
    of *every* copy. Caveat, as in dive: that figure counts the copy still in the final image
    too, so a file written twice wastes twice its size although only one copy is redundant.
    Efficiency is dive's score: sum of each path's smallest copy over the sum of all copies.
    dive skips opaque-directory markers and sizes only directory whiteouts it saw as leaves;
    here both delete what they hide, so `rm -rf dir` counts too.
    """
    copies: dict[str, list[int]] = {}
    filesystem: dict[str, LayerFile] = {}
    for layer in layers:
        for path in _apply(filesystem, layer):
            copies.setdefault(path, []).append(0)
        for entry in layer.files:
            if not entry.is_dir:
                copies.setdefault(entry.path, []).append(entry.size)
    wasted = [
        WastedPath(path, len(sizes), sum(sizes)) for path, sizes in copies.items() if len(sizes) > 1
    ]
    wasted.sort(key=lambda item: (-item.wasted_bytes, item.path))
    everything = sum(sum(sizes) for sizes in copies.values())
    smallest = sum(min(sizes) for sizes in copies.values())
    return LayerWaste(
        wasted_bytes=sum(item.wasted_bytes for item in wasted),
        efficiency=1.0 if everything == 0 else smallest / everything,
        wasted_paths=tuple(wasted),
    )
