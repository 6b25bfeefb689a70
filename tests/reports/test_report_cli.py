"""`codi report RUN [--format md|html] [--out FILE]` on a run recorded in a real SQLite store: the report on
stdout or in a file; each bad input gets its message and exit status 2, and no file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from codi.cli.main import main
from codi.cli.runs import open_store
from codi.reports.run import SECTIONS, render_html, render_markdown
from codi.storage.runs import RunStore
from tests.reports.runs import rich_run

T = TypeVar("T")


@pytest.fixture
def recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("CODI_DATABASE_URL", f"sqlite:///{tmp_path / 'runs.db'}")
    monkeypatch.setenv("CODI_DATA_DIR", str(tmp_path / "data"))
    return stored(lambda store: store.record(rich_run()))


def stored(use: Callable[[RunStore], T]) -> T:
    """`use` on the store `codi report` reads, closed after."""
    store = open_store()
    try:
        return use(store)
    finally:
        store.close()


def codi(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_markdown_report_goes_to_stdout(recorded: int, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = codi(capsys, "report", str(recorded))
    assert (status, err) == (0, "")
    assert out == render_markdown(stored(lambda store: store.get(recorded)))
    assert out.startswith(f"# codi report: run {recorded}\n")
    assert all(f"\n## {title}\n" in out for title in SECTIONS)


def test_the_html_report_is_written_to_out(recorded: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "report.html"
    status, out, err = codi(capsys, "report", str(recorded), "--format", "html", "--out", str(out_file))
    assert (status, out) == (0, "") and err == f"codi: wrote the report of run {recorded} to {out_file}\n"
    assert out_file.read_text() == render_html(stored(lambda store: store.get(recorded)))
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(".report")] == []  # no temporary left


def test_an_unknown_run_is_named(recorded: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert codi(capsys, "report", str(recorded + 1)) == (2, "", f"codi: no run {recorded + 1} (see `codi runs list`)\n")


@pytest.mark.parametrize("where", ["missing/report.md", "."])
def test_an_unwritable_out_is_named_and_nothing_is_written(
    where: str, recorded: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / where
    before = sorted(tmp_path.rglob("*"))
    status, out, err = codi(capsys, "report", str(recorded), "--out", str(target))
    assert (status, out) == (2, "") and err.startswith(f"codi: cannot write {target}: ")
    assert "Traceback" not in err and sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "twelve"], "a run id is a number (see `codi runs list`), not 'twelve'"),
        (["report", "1", "--format", "pdf"], "invalid choice: 'pdf'"),
        (["report"], "the following arguments are required: run"),
    ],
)
def test_bad_arguments_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and message in capsys.readouterr().err


def test_a_database_url_that_cannot_be_used_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CODI_DATABASE_URL", "not a database url")
    status, out, err = codi(capsys, "report", "1")
    assert (status, out) == (2, "") and err.startswith("codi: ") and "CODI_DATABASE_URL" in err


def test_help_lists_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    help_text = capsys.readouterr().out
    assert "exit status:\n  0  the report was written\n  2  no run has that id, --out cannot be written" in help_text
    assert "--format {md,html}" in help_text and "--out FILE" in help_text
