"""`codi perf`: the JSON and text reports, budgets from `.codi.yml` and `--budget-file`, and the exit codes.

No assertion here is about speed (bench/perf_corpus.py measures it): an exceeded budget is a budget of 0 ms,
which any real work exceeds, and "within" is a budget no run reaches.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codi.cli.main import main
from codi.cli.perf import PER_FILE_STAGES
from codi.pipeline.config import PERF_STAGES

APP = """FROM python:3.11
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt && cd /tmp && echo $HOME
COPY . .
CMD ["python", "app.py"]
"""
TOOL = """FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
ENTRYPOINT ["curl"]
"""
GENEROUS = 10**9
"""Milliseconds no run takes: a budget that is always met."""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two Dockerfiles (one with a build context to optimise), the working directory."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text(APP)
    (tmp_path / "app" / "requirements.txt").write_text("flask==3.0.0\n")
    (tmp_path / "app" / "app.py").write_text("print('hi')\n")
    (tmp_path / "tool.Dockerfile").write_text(TOOL)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def perf(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["perf", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def perf_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    status, out, err = perf(capsys, *argv, "--format", "json")
    return status, json.loads(out), err


def test_json_has_every_stage_per_file_and_in_total(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, report, err = perf_json(capsys, ".")
    assert status == 0 and err == ""
    assert set(report) == {"files", "stages", "shellcheck", "ranker", "budgets", "over_budget"}
    assert [item["path"] for item in report["files"]] == ["app/Dockerfile", "tool.Dockerfile"]
    for item in report["files"]:
        assert list(item["stages_ms"]) == list(PER_FILE_STAGES) == ["parse", "lint", "optimise", "rank"]
        assert all(ms > 0 for ms in item["stages_ms"].values())
    assert list(report["stages"]) == list(PERF_STAGES) == ["parse", "lint", "shellcheck", "optimise", "rank"]
    for stage in PER_FILE_STAGES:
        summary = report["stages"][stage]
        per_file = sorted(item["stages_ms"][stage] for item in report["files"])
        assert summary["sum_ms"] == pytest.approx(sum(per_file), abs=0.01)
        assert summary["p50_ms"] == per_file[0] and summary["p95_ms"] == summary["max_ms"] == per_file[-1]
    shellcheck = report["stages"]["shellcheck"]  # one batched call: a total, no spread over files
    assert shellcheck["sum_ms"] > 0 and shellcheck["p50_ms"] is shellcheck["p95_ms"] is shellcheck["max_ms"] is None
    assert report["shellcheck"] == "batched" and report["ranker"] == "deterministic"
    assert report["budgets"] == {"per_file_ms": {}, "total_ms": {}} and report["over_budget"] == []


def test_without_shellcheck_its_stage_is_off(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, report, _ = perf_json(capsys, "tool.Dockerfile", "--no-shellcheck")
    assert status == 0 and report["shellcheck"] == "off" and report["stages"]["shellcheck"] is None
    assert [item["path"] for item in report["files"]] == ["tool.Dockerfile"]


def test_a_config_budget_of_zero_fails_naming_the_stage_and_each_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / ".codi.yml").write_text(
        f"perf:\n  budgets:\n    per-file: {{lint: 0, rank: {GENEROUS}}}\n    total: {{shellcheck: {GENEROUS}}}\n"
    )
    status, report, err = perf_json(capsys, ".")
    assert status == 1
    assert report["budgets"] == {"per_file_ms": {"lint": 0.0, "rank": GENEROUS}, "total_ms": {"shellcheck": GENEROUS}}
    assert [(item["stage"], item["scope"], item["path"]) for item in report["over_budget"]] == [
        ("lint", "per-file", "app/Dockerfile"), ("lint", "per-file", "tool.Dockerfile")
    ]  # fmt: skip
    assert all(item["ms"] > item["budget_ms"] == 0 for item in report["over_budget"])
    assert "codi: over budget: lint per-file: app/Dockerfile took " in err and "(budget 0 ms)" in err
    assert "codi: over budget: lint per-file: tool.Dockerfile took " in err and "rank" not in err


def test_a_total_budget_of_zero_fails_with_the_text_report(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".codi.yml").write_text("perf:\n  budgets:\n    total: {optimise: 0, shellcheck: 0}\n")
    status, out, err = perf(capsys, ".")
    assert status == 1
    lines = out.splitlines()
    assert lines[0] == "2 file(s); ShellCheck: one batched call; rank: the deterministic ranker"
    assert [line.split()[0] for line in lines[2:]] == list(PERF_STAGES)
    assert lines[2 + PERF_STAGES.index("optimise")].endswith("  -           0.0")  # no per-file budget, total 0
    assert "codi: over budget: shellcheck total: all files took " in err
    assert "codi: over budget: optimise total: all files took " in err


def test_the_budget_file_replaces_the_config_budgets(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / ".codi.yml").write_text("perf:\n  budgets:\n    per-file: {lint: 0}\n")
    within = project / "budgets.yml"
    stages = ", ".join(f"{stage}: {GENEROUS}" for stage in PER_FILE_STAGES)
    within.write_text(f"per-file: {{{stages}}}\ntotal: {{{stages}, shellcheck: {GENEROUS}}}\n")
    status, report, err = perf_json(capsys, ".", "--budget-file", str(within))
    assert status == 0 and err == "" and report["over_budget"] == []
    assert set(report["budgets"]["total_ms"]) == set(PERF_STAGES)
    over = project / "over.yml"
    over.write_text("per-file:\n  parse: 0\n")
    status, report, err = perf_json(capsys, "tool.Dockerfile", "--budget-file", str(over))
    assert status == 1 and report["budgets"] == {"per_file_ms": {"parse": 0.0}, "total_ms": {}}
    assert [item["stage"] for item in report["over_budget"]] == ["parse"] and "parse per-file: tool.Dockerfile" in err


@pytest.mark.parametrize(
    ("budget_text", "message"),
    [
        ("per-file: [lint]\n", "budgets.yml:1: budgets.per-file: expected a mapping of stage to milliseconds"),
        ("total:\n  lnt: 5\n", "budgets.yml:2: budgets.total.lnt: unknown stage; known: parse, lint, shellcheck"),
        ("total:\n  lint: -1\n", "budgets.yml:2: budgets.total.lint: expected milliseconds (0 or more), got -1"),
        ("total:\n  lint: fast\n", "budgets.yml:2: budgets.total.lint: expected milliseconds (0 or more), got 'fast'"),
        ("per-file:\n  shellcheck: 5\n", "budgets.yml:2: budgets.per-file.shellcheck: ShellCheck runs once for all"),
        ("per_file: {}\n", "budgets.yml:1: budgets.per_file: unknown setting; known: per-file, total"),
        ("[1, 2]\n", "budgets.yml:1: budgets: expected a mapping with per-file and/or total"),
        ("total: {lint: 5\n", "budgets.yml:2: invalid YAML"),
    ],
)
def test_a_malformed_budget_file_is_bad_input(
    project: Path, capsys: pytest.CaptureFixture[str], budget_text: str, message: str
) -> None:
    (project / "budgets.yml").write_text(budget_text)
    status, out, err = perf(capsys, ".", "--budget-file", "budgets.yml")
    assert status == 2 and out == "" and err.startswith(f"codi: {message}") and "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "config", "message"),
    [
        (["missing/Dockerfile"], None, "codi: cannot read missing/Dockerfile: No such file or directory"),
        (["empty-dir"], None, "codi: no Dockerfile in empty-dir (nor below it)"),
        (["binary.Dockerfile"], None, "codi: binary.Dockerfile: not a text file (it holds NUL bytes)"),
        (["app", "--budget-file", "nowhere.yml"], None, "codi: cannot read nowhere.yml: No such file or directory"),
        (["app", "--model", "nowhere.gguf"], None, "codi: nowhere.gguf: no such file (the model is never downloaded)"),
        (["app", "--config", ".codi.yml"], "perf:\n  budgets:\n    total: {lint: 1, optimize: 2}\n",
         "codi: .codi.yml:3: perf.budgets.total.optimize: unknown stage; known: parse, lint, shellcheck, optimise"),
        (["app", "--config", ".codi.yml"], "perf:\n  budget: {}\n",
         "codi: .codi.yml:2: perf.budget: unknown setting; known: budgets"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_clear_message(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], config: str | None, message: str
) -> None:
    (project / "empty-dir").mkdir()
    (project / "binary.Dockerfile").write_bytes(b"FROM scratch\n\0\1")
    if config is not None:
        (project / ".codi.yml").write_text(config)
    status, out, err = perf(capsys, *argv)
    assert status == 2 and out == "" and err.startswith(message) and "Traceback" not in err
