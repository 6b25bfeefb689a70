"""`codi optimize --build` on the real engine: the issue's JSON, progress on stderr, reuse on the second run,
and clear errors when no build can start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codi.cli.main import main

DOCKERFILE = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD python app.py\n"

NETWORK_PROBE = """\
FROM python:3.11-slim
RUN [ "$(ls /sys/class/net)" = lo ]
CMD ["python", "-c", "print('hello')"]
"""
"""Builds only where the build container has no network but loopback: `--network none`."""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "Dockerfile").write_text(DOCKERFILE)
    (folder / "app.py").write_text('print("hello")\n')
    return folder


def test_build_prints_measured_images_and_reuses_them(
    app: Path, docker_host: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    monkeypatch.setenv("CODI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CODI_DATABASE_URL", raising=False)
    monkeypatch.delenv("CODI_BUILD_NETWORK", raising=False)  # the default: builds on codi's own network
    argv = ["optimize", str(app / "Dockerfile"), "--context", str(app), "--build", "--format", "json"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    document = json.loads(out)
    images = {image["strategy"]: image for image in document["images"]}
    assert list(images) == ["original", "fixes"] and document["platform"] == "linux/amd64"
    for image in images.values():
        assert (image["status"], image["smoke"], image["reused"]) == ("pass", "pass", False)
        assert image["size_bytes"] > 100_000_000 and image["layers"] >= 1 and image["build_seconds"] > 0
        assert image["vulnerabilities"] == "not scanned" and image["reason"] is None
    assert images["fixes"]["size_delta_ratio"] == pytest.approx(0.0, abs=0.01)
    assert "codi: original: building" in err and "codi: fixes: smoke test" in err
    assert (tmp_path / "data" / "evidence.db").is_file()

    assert main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert [image["reused"] for image in again["images"]] == [True, True]


def test_no_engine_or_another_platform_is_a_clear_error(
    app: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    assert main(["optimize", str(app / "Dockerfile"), "--build"]) == 2
    assert "DOCKER_HOST is not set" in capsys.readouterr().err
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    assert main(["optimize", str(app / "Dockerfile"), "--build", "--platform", "linux/arm64"]) == 2
    assert "a linux/arm64 build needs a runner of that platform" in capsys.readouterr().err
    monkeypatch.setenv("CODI_BUILD_NETWORK", "bridge")
    assert main(["optimize", str(app / "Dockerfile"), "--build"]) == 2
    assert "CODI_BUILD_NETWORK must be codi, none or host, not 'bridge'" in capsys.readouterr().err


def test_network_flag_decides_the_build_network_over_the_variable(
    tmp_path: Path, docker_host: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same Dockerfile, which builds only without a network, on the real engine: the flag wins both ways."""
    (tmp_path / "Dockerfile").write_text(NETWORK_PROBE)
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    monkeypatch.delenv("CODI_DATABASE_URL", raising=False)
    argv = ["optimize", str(tmp_path / "Dockerfile"), "--build", "--format", "json"]

    def original(variable: str, flag: str) -> dict[str, object]:
        monkeypatch.setenv("CODI_DATA_DIR", str(tmp_path / f"data-{flag}"))  # no evidence reused across the runs
        monkeypatch.setenv("CODI_BUILD_NETWORK", variable)
        main([*argv, "--network", flag])
        return json.loads(capsys.readouterr().out)["images"][0]

    isolated = original("host", "none")
    assert (isolated["strategy"], isolated["status"], isolated["reused"]) == ("original", "pass", False)
    exposed = original("none", "host")
    assert (exposed["status"], exposed["reused"]) == ("fail", False)
    assert "ls /sys/class/net" in str(exposed["reason"])
