"""Config files: hadolint's keys as hadolint reads them, codi's own keys, errors with file/line/key."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from codi.cli.main import main
from codi.pipeline import lint
from codi.pipeline.config import BuildSettings, LintConfig, SmokeSettings
from codi.pipeline.configfile import ConfigError, parse_config
from codi.pipeline.findings import Severity
from codi.rules import rule_by_code

# hadolint's README, "Configure" section, verbatim (three of its examples in one file).
HADOLINT_README_CONFIG = """\
ignored:
  - DL3000
  - SC1010

trustedRegistries:
  - docker.io
  - my-company.com:5000
  - "*.gcr.io"

override:
  error:
    - DL3001
    - DL3002
  warning:
    - DL3042
    - DL3033
  info:
    - DL3032
  style:
    - DL3015
"""


def test_hadolint_readme_config_works_unchanged() -> None:
    config = parse_config(HADOLINT_README_CONFIG, ".hadolint.yaml")
    assert config.ignored == {"DL3000", "SC1010"}
    assert config.trusted_registries == ("docker.io", "my-company.com:5000", "*.gcr.io")
    assert config.overrides == {
        "DL3001": Severity.ERROR,
        "DL3002": Severity.ERROR,
        "DL3042": Severity.WARNING,
        "DL3033": Severity.WARNING,
        "DL3032": Severity.INFO,
        "DL3015": Severity.STYLE,
    }


def test_every_hadolint_key() -> None:
    config = parse_config(
        "failure-threshold: warning\n"
        "format: json\n"
        "no-color: true\n"
        "no-fail: true\n"
        "verbose: false\n"
        "strict-labels: true\n"
        "disable-ignore-pragma: true\n"
        "label-schema:\n  author: text\n  contact: email\n  created: rfc3339\n  version: semver\n"
        "  documentation: url\n  git-revision: hash\n  license: spdx\n",
        ".hadolint.yaml",
    )
    assert config.failure_threshold is Severity.WARNING
    assert config.no_fail and config.strict_labels and config.disable_ignore_pragma
    assert config.label_schema == {
        "author": "text", "contact": "email", "created": "rfc3339", "version": "semver",
        "documentation": "url", "git-revision": "hash", "license": "spdx",
    }  # fmt: skip


@pytest.mark.parametrize("threshold, severity", [("error", Severity.ERROR), ("style", Severity.STYLE),
                                                 ("none", Severity.IGNORE), ("ignore", Severity.IGNORE)])  # fmt: skip
def test_failure_threshold_values(threshold: str, severity: Severity) -> None:
    assert parse_config(f"failure-threshold: {threshold}\n", ".hadolint.yaml").failure_threshold is severity


def test_a_code_in_several_override_lists_gets_the_most_severe_as_in_hadolint() -> None:
    config = parse_config("override:\n  style: [DL3008]\n  error: [DL3008]\n  info: [DL3008]\n", ".hadolint.yaml")
    assert config.overrides == {"DL3008": Severity.ERROR}


def test_empty_file_and_empty_keys_are_defaults() -> None:
    assert parse_config("", ".hadolint.yaml") == LintConfig()
    assert parse_config("# nothing yet\nignored:\noverride:\n", ".codi.yml") == LintConfig()


def test_codi_file_takes_shellcheck_and_reserved_sections() -> None:
    config = parse_config("shellcheck: false\noptimize:\n  anything: 1\nsmoke-test:\n", ".codi.yml")
    assert config.shellcheck is False
    assert parse_config("ignored: [DL3008]\n", "repo/.codi.yaml").ignored == {"DL3008"}


def test_smoke_test_section_gives_command_port_and_timeout() -> None:
    config = parse_config("smoke-test:\n  command: python -c 'import app'\n  port: 8080\n  timeout: 5\n", ".codi.yml")
    assert config.smoke == SmokeSettings(command=("python", "-c", "import app"), port=8080, timeout_seconds=5.0)
    listed = parse_config("smoke-test:\n  command: [sh, -c, 'exit 0']\n", ".codi.yml")
    assert listed.smoke.command == ("sh", "-c", "exit 0") and listed.smoke.port is None
    assert parse_config("smoke-test:\n", ".codi.yml").smoke == SmokeSettings()


def test_smoke_test_in_a_hadolint_file_is_ignored(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert parse_config("smoke-test:\n  port: 1\n", ".hadolint.yaml").smoke == SmokeSettings()
    assert "smoke-test: a codi setting in a hadolint config, ignored" in caplog.text


def test_builds_trust_defaults_to_branches_and_is_read_from_codi_files_only(caplog: pytest.LogCaptureFixture) -> None:
    assert LintConfig().builds == parse_config("builds:\n", ".codi.yml").builds == BuildSettings("branches")
    for trust in ("none", "branches", "collaborators"):
        assert parse_config(f"builds:\n  trust: {trust}\n", ".codi.yml").builds == BuildSettings(trust)
    with caplog.at_level(logging.WARNING):
        assert parse_config("builds:\n  trust: collaborators\n", ".hadolint.yaml").builds == BuildSettings()
    assert "builds: a codi setting in a hadolint config, ignored" in caplog.text


def test_hadolint_file_ignores_unknown_keys_as_hadolint_does(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        config = parse_config("ignored: [DL3008]\nrules: 3\noverride:\n  fatal: [DL3000]\n", ".hadolint.yaml")
    assert config.ignored == {"DL3008"} and config.overrides == {}
    assert ".hadolint.yaml:2: rules: unknown setting, ignored" in caplog.text
    assert ".hadolint.yaml:4: override.fatal: unknown level, ignored" in caplog.text


@pytest.mark.parametrize(
    "filename, text, message",
    [
        (".hadolint.yaml", "ignored: []\n\noverride:\n  error: DL3008\n",
         ".hadolint.yaml:4: override.error: expected a list of rule codes"),
        (".hadolint.yaml", "ignored:\n  - DL3008\n  - 3009\n", ".hadolint.yaml:3: ignored: expected a rule code"),
        (".hadolint.yaml", "override: [DL3008]\n", ".hadolint.yaml:1: override: expected a mapping"),
        (".hadolint.yaml", "failure-threshold: high\n", ".hadolint.yaml:1: failure-threshold: expected error, warning"),
        (".hadolint.yaml", "trustedRegistries: docker.io\n", ".hadolint.yaml:1: trustedRegistries: expected a list"),
        (".hadolint.yaml", "trustedRegistries:\n  - 5000\n", ".hadolint.yaml:2: trustedRegistries: expected a string"),
        (".hadolint.yaml", "label-schema:\n  author: name\n",
         ".hadolint.yaml:2: label-schema.author: expected a label type"),
        (".hadolint.yaml", "label-schema: [a]\n", ".hadolint.yaml:1: label-schema: expected a mapping"),
        (".hadolint.yaml", "\nno-fail: yes\n", ".hadolint.yaml:2: no-fail: expected true or false"),
        (".hadolint.yaml", "format: html\n", ".hadolint.yaml:1: format: expected an output format"),
        (".hadolint.yaml", "- DL3000\n", ".hadolint.yaml:1: expected a mapping of settings"),
        (".hadolint.yaml", "ignored: [DL3000\n", ".hadolint.yaml:2: invalid YAML"),
        (".hadolint.yaml", "no-fail: true\nno-fail: false\n", ".hadolint.yaml:2: invalid YAML"),
        (".codi.yml", "ignored: []\nignore: [DL3008]\n", ".codi.yml:2: ignore: unknown setting"),
        (".codi.yml", "override:\n  fatal: [DL3000]\n", ".codi.yml:2: override.fatal: expected one of"),
        (".codi.yml", "shellcheck: off\n", ".codi.yml:1: shellcheck: expected true or false"),
        (".codi.yml", "smoke-test: [a]\n", ".codi.yml:1: smoke-test: expected a mapping"),
        (".codi.yml", "smoke-test:\n  port: 70000\n", ".codi.yml:2: smoke-test.port: expected a TCP port"),
        (".codi.yml", "smoke-test:\n  timeout: 0\n", ".codi.yml:2: smoke-test.timeout: expected seconds"),
        (".codi.yml", "smoke-test:\n  command: []\n", ".codi.yml:2: smoke-test.command: expected a command, got"),
        (".codi.yml", "smoke-test:\n  command: 'a \"b'\n", ".codi.yml:2: smoke-test.command: cannot split"),
        (".codi.yml", "smoke-test:\n  command: {a: 1}\n", ".codi.yml:2: smoke-test.command: expected a command"),
        (".codi.yml", "smoke-test:\n  cmd: x\n", ".codi.yml:2: smoke-test.cmd: unknown setting"),
        (".codi.yml", "builds: collaborators\n", ".codi.yml:1: builds: expected a mapping with trust"),
        (".codi.yml", "builds:\n  trust: all\n", ".codi.yml:2: builds.trust: expected one of none, branches, collab"),
        (".codi.yml", "builds:\n  trust: true\n", ".codi.yml:2: builds.trust: expected one of"),
        (".codi.yml", "builds:\n  approve: none\n", ".codi.yml:2: builds.approve: unknown setting; known: trust"),
    ],
)  # fmt: skip
def test_errors_name_file_line_and_key(filename: str, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(text, filename)
    assert str(error.value).startswith(message)


# --- through the command line ---------------------------------------------------------------


@pytest.fixture
def only_dl3000(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A Dockerfile whose one finding is DL3000 (error), with only that rule enabled."""
    rule = rule_by_code("DL3000")
    assert rule is not None
    monkeypatch.setattr(lint, "all_rules", lambda: (rule,))
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM alpine:3.20\nWORKDIR app\n")
    return dockerfile


def run_with_config(dockerfile: Path, config_text: str, *options: str) -> int:
    config = dockerfile.parent / ".hadolint.yaml"
    config.write_text(config_text)
    return main(["analyze", "--no-shellcheck", "-f", "json", "--config", str(config), *options, str(dockerfile)])


@pytest.mark.parametrize(
    "config_text, status",
    [
        ("", 1),
        ("failure-threshold: error\n", 1),
        ("failure-threshold: error\noverride:\n  warning: [DL3000]\n", 0),
        ("failure-threshold: style\noverride:\n  style: [DL3000]\n", 1),
        ("failure-threshold: none\n", 1),  # as in hadolint: every finding is at least `none`
        ("no-fail: true\n", 0),
        ("ignored: [DL3000]\n", 0),
    ],
)
def test_exit_status_follows_the_config(only_dl3000: Path, config_text: str, status: int) -> None:
    assert run_with_config(only_dl3000, config_text) == status


def test_command_line_wins_over_the_config(only_dl3000: Path) -> None:
    assert run_with_config(only_dl3000, "no-fail: false\n", "--no-fail") == 0
    assert run_with_config(only_dl3000, "failure-threshold: none\n", "--failure-threshold", "error") == 1


def test_config_is_found_in_the_working_directory(
    only_dl3000: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (only_dl3000.parent / ".hadolint.yaml").write_text("ignored:\n  - DL3000\n")
    monkeypatch.chdir(only_dl3000.parent)
    assert main(["analyze", "--no-shellcheck", "-f", "json", str(only_dl3000)]) == 0
    assert "DL3000" not in capsys.readouterr().out


def test_bad_config_exits_2_with_the_error_on_stderr(only_dl3000: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_with_config(only_dl3000, "override:\n  error: DL3008\n") == 2
    captured = capsys.readouterr()
    assert ".hadolint.yaml:2: override.error: expected a list of rule codes" in captured.err
    assert captured.out == ""
