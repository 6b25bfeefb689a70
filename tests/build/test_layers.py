"""Layer analysis: dive's wasted bytes and efficiency, the final filesystem.

Pure tests run on hand-made layer lists and a hand-made `docker save` archive; one test builds a
tiny image on the real engine, reads its `docker save` archive and removes it.
"""

import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from codi.worker.build import DockerBuildRunner
from codi.worker.layers import Layer, LayerFile, final_filesystem, layer_waste
from codi.worker.scan import read_image_archive

MB = 1024 * 1024


def _files(*entries: tuple[str, int]) -> tuple[LayerFile, ...]:
    return tuple(LayerFile(path, size) for path, size in entries)


def test_a_path_in_two_layers_wastes_every_copy() -> None:
    layers = [
        Layer(_files(("/bin/sh", 100), ("/app/data", 40))),
        Layer(_files(("/app/data", 60))),
    ]
    waste = layer_waste(layers)
    assert waste.wasted_bytes == 100  # dive's caveat: the surviving 60-byte copy counts too
    assert [(p.path, p.copies, p.wasted_bytes) for p in waste.wasted_paths] == [("/app/data", 2, 100)]
    assert waste.efficiency == pytest.approx((100 + 40) / 200)
    assert final_filesystem(layers)["/app/data"].size == 60


def test_a_whiteout_wastes_the_deleted_file_and_removes_it() -> None:
    layers = [
        Layer(_files(("/etc/os-release", 10))),
        Layer(_files(("/tmp/big", MB))),
        Layer((), whiteouts=("/tmp/big",)),
    ]
    waste = layer_waste(layers)
    assert waste.wasted_bytes == MB
    assert waste.wasted_paths[0].copies == 2  # the file, then its deletion
    assert waste.efficiency == pytest.approx(10 / (10 + MB))
    assert sorted(final_filesystem(layers)) == ["/etc/os-release"]


def test_a_directory_whiteout_wastes_everything_under_it() -> None:
    layers = [
        Layer((LayerFile("/cache", 0, True), *_files(("/cache/a", 30), ("/cache/b", 20), ("/cached", 5)))),
        Layer((), whiteouts=("/cache",)),
    ]
    waste = layer_waste(layers)
    assert [(p.path, p.wasted_bytes) for p in waste.wasted_paths] == [("/cache/a", 30), ("/cache/b", 20)]
    assert sorted(final_filesystem(layers)) == ["/cached"]


def test_an_opaque_directory_hides_the_lower_contents_but_keeps_its_own() -> None:
    layers = [
        Layer((LayerFile("/srv", 0, True), *_files(("/srv/old", 70), ("/srv/keep", 3)))),
        Layer((LayerFile("/srv", 0, True), *_files(("/srv/keep", 3), ("/srv/new", 9))), opaque_dirs=("/srv",)),
    ]
    waste = layer_waste(layers)
    assert {p.path: p.wasted_bytes for p in waste.wasted_paths} == {"/srv/old": 70, "/srv/keep": 6}
    assert sorted(final_filesystem(layers)) == ["/srv", "/srv/keep", "/srv/new"]


def test_a_file_over_a_directory_hides_the_directory_contents() -> None:
    layers = [
        Layer((LayerFile("/opt/x", 0, True), *_files(("/opt/x/lib.so", 8)))),
        Layer(_files(("/opt/x", 2))),
    ]
    assert sorted(final_filesystem(layers)) == ["/opt/x"]
    assert layer_waste(layers).wasted_bytes == 8


def test_no_repeats_means_no_waste_and_full_efficiency() -> None:
    waste = layer_waste([Layer(_files(("/a", 1))), Layer(_files(("/b", 2)))])
    assert (waste.wasted_bytes, waste.efficiency, waste.wasted_paths) == (0, 1.0, ())
    assert layer_waste([]).efficiency == 1.0


def _tar(entries: dict[str, bytes | None], links: dict[str, str] | None = None) -> bytes:
    """A tar of files (bytes) and directories (None), plus symlinks name → target."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return buffer.getvalue()


def test_a_saved_archive_is_read_in_manifest_order_with_markers_and_shared_layers() -> None:
    base = _tar({"etc/": None, "etc/hosts": b"x" * 7, ".bashrc": b"y" * 3})
    top = _tar({"etc/.wh.hosts": b"", "srv/": None, "srv/.wh..wh..opq": b""})
    manifest = [{"Config": "c.json", "Layers": ["b/layer.tar", "a/layer.tar", "d/layer.tar"]}]
    archive = _tar(
        {"a/layer.tar": base, "b/layer.tar": top, "c.json": b"{}", "manifest.json": json.dumps(manifest).encode()},
        links={"d/layer.tar": "../a/layer.tar"},
    )
    with tarfile.open(fileobj=io.BytesIO(archive)) as saved:
        read = read_image_archive(saved)
    top_layer, base_layer, shared = read.layers
    assert base_layer.files == (LayerFile("/etc", 0, True), LayerFile("/etc/hosts", 7), LayerFile("/.bashrc", 3))
    assert (top_layer.files, top_layer.whiteouts, top_layer.opaque_dirs) == (
        (LayerFile("/srv", 0, True),),
        ("/etc/hosts",),
        ("/srv",),
    )
    assert shared == base_layer
    # The manifest lists the layer that deletes /etc/hosts first, so the base layer after it brings it back.
    assert sorted(read.files) == ["/.bashrc", "/etc/hosts"]


def test_a_real_image_that_deletes_a_file_wastes_it(docker_host: str, tmp_path: Path) -> None:
    runner = DockerBuildRunner(docker_host, tmp_path / "logs")
    context = tmp_path / "context"
    context.mkdir()
    dockerfile = (
        "FROM debian:bookworm-slim\n"
        "WORKDIR /app\n"
        "RUN head -c 1048576 /dev/zero > /app/big.bin && echo hi > /app/keep.txt\n"
        "RUN rm /app/big.bin\n"
    )
    image = runner.build(
        dockerfile, context, f"codi-test/layers:{os.getpid()}", timeout_s=300, memory_limit=512 * MB, cpu_quota=100_000
    )
    archive_path = tmp_path / "image.tar"
    try:
        with archive_path.open("wb") as out:
            for chunk in runner.client.images.get(image.image_id).save(named=False):
                out.write(chunk)
        with tarfile.open(archive_path) as saved:
            layers = read_image_archive(saved).layers
    finally:
        runner.remove(image)
        runner.close()
    waste = layer_waste(layers)
    filesystem = final_filesystem(layers)
    print(f"layers={len(layers)} wasted_bytes={waste.wasted_bytes} efficiency={waste.efficiency:.6f} "
          f"files={len(filesystem)} top={waste.wasted_paths[:3]}")
    assert len(layers) == image.layers
    assert waste.wasted_bytes >= MB
    assert any(p.path == "/app/big.bin" and p.wasted_bytes == MB for p in waste.wasted_paths)
    assert "/app/big.bin" not in filesystem and filesystem["/app/keep.txt"].size == 3
    assert "/usr/bin/apt" in filesystem
