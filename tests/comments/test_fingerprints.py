"""Fingerprints survive lines moving, change with what the finding is about, and hide in a marker."""

from __future__ import annotations

from codi.comments.fingerprints import finding_marker, fingerprints, parse_finding_marker
from codi.pipeline.lint import lint_files, SourceFile
from tests.comments.helpers import only

APT = "FROM debian:12\nRUN apt-get update && \\\n    apt-get install curl\nWORKDIR app\n"
CONFIG = only("DL3000", "DL3014", "DL3015")


def prints(text: str, path: str = "Dockerfile") -> dict[str, str]:
    [result] = lint_files([SourceFile(path, text)], CONFIG)
    return {finding.code: fp for finding, fp in zip(result.findings, fingerprints(result))}


def test_lines_moving_keep_the_fingerprints():
    spread = APT.replace("\nRUN", "\n\nRUN").replace("\nWORKDIR", "\n\nWORKDIR")
    moved = "# syntax=docker/dockerfile:1\n\n# a comment above\n" + spread
    assert prints(moved) == prints(APT)
    assert len(set(prints(APT).values())) == 3


def test_reflowing_whitespace_and_continuations_keeps_the_fingerprints():
    reflowed = "FROM debian:12\nRUN apt-get update &&   apt-get install curl\nWORKDIR   app\n"
    assert prints(reflowed) == prints(APT)


def test_another_instruction_path_or_code_gives_another_fingerprint():
    before = prints(APT)
    assert prints(APT.replace("curl", "wget"))["DL3014"] != before["DL3014"]
    assert prints(APT.replace("curl", "wget"))["DL3000"] == before["DL3000"]
    assert prints(APT, path="api/Dockerfile")["DL3014"] != before["DL3014"]
    assert before["DL3014"] != before["DL3015"]


def test_equal_findings_are_told_apart_in_order():
    text = "FROM debian:12\nWORKDIR app\nWORKDIR app\n"
    [result] = lint_files([SourceFile("Dockerfile", text)], only("DL3000"))
    first, second = fingerprints(result)
    assert second == f"{first}-2"


def test_the_marker_round_trips_and_is_found_only_on_a_line_of_its_own():
    fp = prints(APT)["DL3014"]
    assert parse_finding_marker(f"**Warning** text\n\n{finding_marker(fp)}\n") == fp
    assert parse_finding_marker(f"text\n\n{finding_marker(fp + '-2')}") == fp + "-2"
    assert parse_finding_marker(f"> {finding_marker(fp)}\nquoted by someone") is None
    assert parse_finding_marker("<!-- codi:finding=not-hex -->") is None
    assert parse_finding_marker("a comment from a person") is None
