"""A failed `codi optimize --build` on the real engine says which step failed, shows the log's last lines and
where the full log is; measured images are one line each off a terminal and a table that fits one on it."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from codi.cli.main import main

FAILING = 'FROM debian:bookworm-slim\nRUN echo "unpacking the release" && exit 3\nCMD ["true"]\n'
"""Fails in a second on the offline base: nothing to download, no candidate worth building."""


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_failed_build_names_its_step_and_shows_its_log(
    tmp_path: Path, docker_host: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from codi.cli.measure import measure_result, print_reports
    from codi.pipeline.config import SmokeSettings
    from codi.pipeline.optimize.optimizer import optimize

    (tmp_path / "app").mkdir()
    dockerfile = tmp_path / "app" / "Dockerfile"
    dockerfile.write_text(FAILING)
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    monkeypatch.setenv("CODI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CODI_DATABASE_URL", raising=False)
    assert main(["optimize", str(dockerfile), "--build", "--network", "none"]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("original: fail; ") and "smoke" in lines[0]  # one record per line off a terminal
    assert "original failed: build failed: The command '/bin/sh -c echo \"unpacking the release\" && exit 3' " in out
    assert '  failing step: Step 2/3 : RUN echo "unpacking the release" && exit 3\n' in out
    assert "    unpacking the release\n" in out and "line(s) of the log:\n" in out
    [log_line] = [line for line in lines if line.startswith("  full log: ")]
    log = Path(log_line.removeprefix("  full log: "))
    assert log.is_file() and log.is_relative_to(tmp_path / "data") and "unpacking the release" in log.read_text()

    result = optimize(str(dockerfile), FAILING)
    reports = measure_result(FAILING, result, dockerfile.parent, None, SmokeSettings(), "none")  # recorded: reused
    terminal = Terminal()
    monkeypatch.setenv("COLUMNS", "72")
    print_reports(reports, terminal)
    shown = re.sub(r"\x1b\[[0-9;]*m", "", terminal.getvalue()).splitlines()  # colours are not width
    assert "Measured images" in shown[0] and any("original" in line and "fail" in line for line in shown)
    table = shown[: shown.index(next(line for line in shown if line.startswith("original failed:")))]
    assert max(len(line) for line in table) <= 72
