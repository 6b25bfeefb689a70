"""`codi fix` and `codi analyze` end to end on files in a temporary directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codi.cli.main import main
from codi.rules import all_rules

# Only DL3014 (safe fix: ` -y` after `install`) and DL3000 (no fix), so rules added later change nothing here.
ONLY_TWO_RULES = [f"--ignore={rule.code}" for rule in all_rules() if rule.code not in {"DL3000", "DL3014"}]
OPTIONS = ["--no-shellcheck", *ONLY_TWO_RULES]

BEFORE = "FROM debian:12\nRUN apt-get update && \\\n    apt-get install curl\nWORKDIR app\n"
AFTER = "FROM debian:12\nRUN apt-get update && \\\n    apt-get install -y curl\nWORKDIR app\n"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config file from the repository or the user's home is picked up."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def dockerfile(tmp_path: Path, text: str = BEFORE, name: str = "Dockerfile") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_fix_diff_prints_a_unified_diff_and_leaves_the_file(tmp_path, capsys):
    path = dockerfile(tmp_path)
    assert main(["fix", "--diff", *OPTIONS, str(path)]) == 1  # DL3000 (no fix) would be left
    out = capsys.readouterr().out
    assert out == (
        f"--- a/{path}\n"
        f"+++ b/{path}\n"
        "@@ -1,4 +1,4 @@\n"
        " FROM debian:12\n"
        " RUN apt-get update && \\\n"
        "-    apt-get install curl\n"
        "+    apt-get install -y curl\n"
        " WORKDIR app\n"
    )
    assert path.read_text() == BEFORE


def test_fix_writes_in_place_once(tmp_path, capsys):
    path = dockerfile(tmp_path)
    assert main(["fix", "--ignore=DL3000", *OPTIONS, str(tmp_path)]) == 0
    assert path.read_text() == AFTER
    assert capsys.readouterr().err == f"fixed {path}\n1 file(s) fixed\n"
    assert main(["fix", "--ignore=DL3000", *OPTIONS, str(tmp_path)]) == 0
    assert path.read_text() == AFTER
    assert capsys.readouterr().err == "0 file(s) fixed\n"


def test_fix_keeps_bytes_it_does_not_edit(tmp_path):
    """CRLF line ends and undecodable bytes elsewhere in the file survive a fix."""
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM debian:12\r\n# caf\xe9\r\nRUN apt-get install curl\r\n")
    assert main(["fix", *OPTIONS, str(path)]) == 0  # nothing is left: exit 0
    assert path.read_bytes() == b"FROM debian:12\r\n# caf\xe9\r\nRUN apt-get install -y curl\r\n"


def test_fix_unsafe_flag_is_accepted_and_nothing_to_fix_leaves_no_diff(tmp_path, capsys):
    path = dockerfile(tmp_path, AFTER)
    assert main(["fix", "--diff", "--unsafe", "--no-fail", *OPTIONS, str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_analyze_exit_status_follows_the_failure_threshold(tmp_path, capsys):
    path = dockerfile(tmp_path)
    assert main(["analyze", *OPTIONS, str(path)]) == 1  # DL3000 is an error
    assert main(["analyze", "--failure-threshold=error", "--ignore=DL3000", *OPTIONS, str(path)]) == 0
    assert main(["analyze", "--no-fail", *OPTIONS, str(path)]) == 0
    capsys.readouterr()


def test_analyze_tty(tmp_path, capsys):
    path = dockerfile(tmp_path)
    main(["analyze", *OPTIONS, str(path)])
    out = capsys.readouterr().out
    assert f"{path}:2:1 DL3014 warning" in out
    assert "  3 +     apt-get install -y curl" in out
    assert out.rstrip().endswith("Found 2 problem(s) in 1 file(s): 1 error, 1 warning. 1 fixable with `codi fix`.")


CODES_IN = {
    "json": lambda doc: [item["code"] for item in doc],
    "sarif": lambda doc: [result["ruleId"] for result in doc["runs"][0]["results"]],
    "gitlab_codeclimate": lambda doc: [item["check_name"] for item in doc],
}


@pytest.mark.parametrize("fmt", sorted(CODES_IN))
def test_analyze_json_formats(tmp_path, capsys, fmt):
    path = dockerfile(tmp_path)
    main(["analyze", "-f", fmt, *OPTIONS, str(path)])
    assert CODES_IN[fmt](json.loads(capsys.readouterr().out)) == ["DL3014", "DL3000"]


def test_analyze_checkstyle(tmp_path, capsys):
    path = dockerfile(tmp_path)
    main(["analyze", "--format", "checkstyle", *OPTIONS, str(path)])
    out = capsys.readouterr().out
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?><checkstyle version="4.3">')
    assert 'source="DL3014"' in out and 'source="DL3000"' in out


def test_missing_shellcheck_is_a_clear_error(tmp_path, capsys, monkeypatch):
    import sys

    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setattr(sys, "executable", str(empty / "python"))
    monkeypatch.setenv("PATH", str(empty))
    path = dockerfile(tmp_path)
    assert main(["analyze", "-f", "json", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("codi: ") and "shellcheck" in err and "--no-shellcheck" in err


def test_unreadable_path_is_a_clear_error(tmp_path, capsys):
    assert main(["analyze", "--no-shellcheck", str(tmp_path / "missing" / "Dockerfile")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("codi: cannot read") and "missing" in err


def test_broken_dockerfile_reports_the_parse_error_and_still_lints_the_rest(tmp_path, capsys):
    path = dockerfile(tmp_path, "FROM debian:12\nFOO bar\nRUN apt-get install curl\n")
    assert main(["analyze", "-f", "json", "--no-fail", *OPTIONS, str(path)]) == 0
    found = {(item["code"], item["line"]) for item in json.loads(capsys.readouterr().out)}
    assert ("DL1000", 2) in found and ("DL3014", 3) in found


PIPE_THEN_SHELL_FORM_CMD = "FROM debian:12\nRUN curl -fsSL https://example.com/app.tgz | tar -xz\nCMD echo ready\n"


def test_a_fix_labelled_unsafe_is_never_applied_by_plain_fix(tmp_path, capsys):
    """DL4006's SHELL is unsafe before a shell-form CMD. DL3025's safe fix makes the CMD exec form, after which a
    second pass would find the SHELL safe: plain `codi fix` still leaves what `analyze` labelled unsafe."""
    path = dockerfile(tmp_path, PIPE_THEN_SHELL_FORM_CMD)
    main(["analyze", "--no-shellcheck", str(path)])
    assert "unsafe fix: Set SHELL with -o pipefail" in capsys.readouterr().out
    assert main(["fix", "--no-shellcheck", "--no-fail", str(path)]) == 0
    assert path.read_text() == PIPE_THEN_SHELL_FORM_CMD.replace("CMD echo ready", 'CMD ["echo", "ready"]')
    dockerfile(tmp_path, PIPE_THEN_SHELL_FORM_CMD)
    assert main(["fix", "--unsafe", "--no-shellcheck", "--no-fail", str(path)]) == 0
    assert 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl' in path.read_text()
