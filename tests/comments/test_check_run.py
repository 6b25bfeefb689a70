"""The check run: conclusion from the failure threshold, every finding annotated, GitHub's limits kept."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema

from codi.comments.check_run import (
    ANNOTATIONS_PER_REQUEST,
    annotation_batches,
    check_run_report,
)
from codi.pipeline.findings import Severity
from codi.pipeline.review import ChangedFile, review_files
from tests.comments.helpers import only, reviewed
from tests.github_api.spec import openapi_path

BASE = "FROM debian:12\n"
HEAD = "FROM debian:12\nRUN apt-get update && \\\n    apt-get install curl\nWORKDIR app\nRUN pip install flask\n"
CODES = ("DL3000", "DL3008", "DL3014", "DL3042")


def output_schema() -> dict:
    spec = json.loads(openapi_path().read_text())
    operation = spec["paths"]["/repos/{owner}/{repo}/check-runs/{check_run_id}"]["patch"]
    return operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["output"]


def test_levels_follow_github_and_every_finding_is_annotated_in_or_out_of_the_diff():
    config = only(*CODES, overrides={"DL3000": Severity.ERROR, "DL3042": Severity.STYLE, "DL3008": Severity.INFO})
    review = review_files([ChangedFile("Dockerfile", HEAD, None)], config)[0]
    report = check_run_report([review], config)
    levels = [(a.title, a.annotation_level, a.start_line, a.end_line) for a in report.annotations]
    assert levels == [
        ("DL3008 (info)", "notice", 2, 3),
        ("DL3014 (warning)", "warning", 2, 3),
        ("DL3000 (error)", "failure", 4, 4),
        ("DL3042 (style)", "notice", 5, 5),
    ]


def test_raw_details_carry_the_fix_and_its_result():
    review = reviewed(BASE, HEAD, *CODES)
    report = check_run_report([review], only(*CODES))
    details = {a.title.split()[0]: a.raw_details for a in report.annotations}
    assert details["DL3008"] is None
    assert details["DL3014"] == "Safe fix: Add -y to apt-get install\n\nLine 3 becomes:\n    apt-get install -y curl\n"
    assert details["DL3042"].endswith("Line 5 becomes:\nRUN pip install --no-cache-dir flask\n")


def test_conclusion_follows_the_failure_threshold():
    review = reviewed(BASE, HEAD, "DL3014")  # one warning
    assert check_run_report([review], only("DL3014")).conclusion == "failure"
    assert check_run_report([review], only("DL3014", failure_threshold=Severity.WARNING)).conclusion == "failure"
    assert check_run_report([review], only("DL3014", failure_threshold=Severity.ERROR)).conclusion == "success"
    assert check_run_report([review], only("DL3014", no_fail=True)).conclusion == "success"
    clean = reviewed(BASE, BASE + "WORKDIR /app\n", "DL3000")
    report = check_run_report([clean], only("DL3000"))
    assert (report.conclusion, report.title, report.annotations) == ("success", "No findings in 1 Dockerfile", [])


def test_no_dockerfile_is_neutral():
    report = check_run_report([], only())
    assert (report.conclusion, report.title) == ("neutral", "No Dockerfile changed")
    assert "changes no Dockerfile" in report.summary


def test_summary_counts_by_severity_and_file():
    reviews = [reviewed(BASE, HEAD, *CODES), reviewed(BASE, HEAD, *CODES, path="api/Dockerfile")]
    report = check_run_report(reviews, only(*CODES))
    assert report.title == "8 findings in 2 Dockerfiles: 2 error, 6 warning"
    for row in ("| Error | 2 |", "| Warning | 6 |", "| Info | 0 |", "| Style | 0 |"):
        assert row in report.summary
    assert "| `api/Dockerfile` | 1 | 3 | 0 | 0 | 2 |" in report.summary
    assert "8 findings, 4 with a safe fix" in report.summary


def test_annotations_go_50_per_request_and_match_githubs_schema():
    review = reviewed(BASE, HEAD, *CODES)
    report = check_run_report([review], only(*CODES))
    many = [replace(report.annotations[n % 4], start_line=n + 1, end_line=n + 1) for n in range(120)]
    batches = annotation_batches(many)
    assert ANNOTATIONS_PER_REQUEST == 50 and [len(b) for b in batches] == [50, 50, 20]
    assert [a for b in batches for a in b] == many
    for batch in batches:
        jsonschema.validate(report.output(batch), output_schema())


def test_github_limits_hold_for_a_huge_change():
    """3,000 files with long names: title ≤ 255, summary ≤ 65,535 with a note on the files left out."""
    review = reviewed(BASE, HEAD, *CODES)
    reviews = [replace(review, path=f"services/{'x' * 60}/{n}/Dockerfile") for n in range(3000)]
    report = check_run_report(reviews, only(*CODES))
    assert len(report.title) <= 255 and len(report.summary) <= 65_535
    shown = report.summary.count("| `services/")
    assert 0 < shown < 3000
    assert f"| _{3000 - shown} more files not shown_ |" in report.summary
