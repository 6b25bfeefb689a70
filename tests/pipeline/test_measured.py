"""Judging measured candidates against the original: hand-made records, no engine."""

from __future__ import annotations

from dataclasses import replace

from codi.pipeline.measured import (
    MISSING_FILES_SHOWN,
    FileDifference,
    MeasuredImage,
    Measurements,
    ScanSummary,
    SecretFinding,
    application_file_differences,
    application_roots,
    is_application_file,
    judge,
)

ORIGINAL_TEXT = 'FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n'
CANDIDATE_TEXT = (
    "FROM python:3.11 AS builder\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    'FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n'
)
MEASURED = Measurements(
    size_bytes=1_000_000_000,
    layers=10,
    layer_sizes=(),
    build_seconds=30.0,
    cached_steps=0,
    cache_mounts="none",
    wasted_bytes=5_000_000,
    smoke="pass",
    smoke_stop_seconds=0.3,
    efficiency=0.99,
    smoke_method="port",
    components=400,
)
APP_FILES = {"/app/app.py": 120, "/app/requirements.txt": 12, "/app/__pycache__/app.cpython-311.pyc": 300}


def _image(strategy: str, text: str, **changes: object) -> MeasuredImage:
    image = MeasuredImage(
        strategy=strategy,
        dockerfile=text,
        key=strategy * 4,
        reused=False,
        result="pass",
        measurements=MEASURED,
        scan=None,
        failure_reason=None,
        log_tail=None,
        app_files=APP_FILES,
    )
    return replace(image, **changes)


def test_smaller_passing_candidate_gets_its_deltas() -> None:
    smaller = replace(MEASURED, size_bytes=250_000_000, layers=7)
    original, candidate = judge(_image("original", ORIGINAL_TEXT), [_image("multi-stage", CANDIDATE_TEXT, measurements=smaller)])
    assert (original.status, original.size_delta_ratio, original.layers_delta) == ("pass", None, None)
    assert (candidate.status, candidate.reason, candidate.smoke) == ("pass", None, "pass")
    assert candidate.size_delta_ratio == -0.75 and candidate.layers_delta == -3
    assert candidate.secrets_delta == 0 and candidate.missing_files == ()


def test_vulnerability_delta_only_when_both_were_scanned() -> None:
    scanned = ScanSummary("trivy 0.50.1", critical=1, high=4, medium=10, low=20, unknown=0)
    fewer = ScanSummary("trivy 0.50.1", critical=0, high=1, medium=2, low=3, unknown=0)
    both = judge(_image("original", ORIGINAL_TEXT, scan=scanned), [_image("minimal", CANDIDATE_TEXT, scan=fewer)])
    assert both[1].vulnerabilities_delta == 6 - 35
    one = judge(_image("original", ORIGINAL_TEXT), [_image("minimal", CANDIDATE_TEXT, scan=fewer)])
    assert one[1].vulnerabilities_delta is None and one[0].as_json()["vulnerabilities"] == "not scanned"
    assert one[1].as_json()["vulnerabilities"] == {
        "scanner": "trivy 0.50.1", "total": 6, "critical": 0, "high": 1, "medium": 2, "low": 3, "unknown": 0,
    }  # fmt: skip


def test_candidate_missing_an_application_file_is_rejected_but_pruned_trees_are_not_application_files() -> None:
    lacking = {"/app/requirements.txt": 12}
    _, candidate = judge(_image("original", ORIGINAL_TEXT), [_image("multi-stage", CANDIDATE_TEXT, app_files=lacking)])
    assert candidate.status == "fail"
    assert candidate.missing_files == ("/app/app.py",)  # the __pycache__ file is not an application file
    assert candidate.reason == "missing application files the original has: /app/app.py"


def test_application_files_that_differ_are_counted_and_missing_ones_reject() -> None:
    original = _image("original", ORIGINAL_TEXT, app_files={"/app/main.py": 10, "/app/lib/util.py": 5, "/usr/bin/gcc": 900})
    candidate = _image("minimal", CANDIDATE_TEXT, app_files={"/app/main.py": 12, "/app/extra.txt": 1})
    assert application_file_differences(original, candidate) == (
        FileDifference("/app/extra.txt", None, 1),
        FileDifference("/app/lib/util.py", 5, None),
        FileDifference("/app/main.py", 10, 12),
    )  # /usr/bin/gcc is gone too, but it is no application path: a slimmer image may drop it
    report = judge(original, [candidate])[1]
    assert (report.differing_files, report.missing_files, report.status) == (3, ("/app/lib/util.py",), "fail")
    assert judge(original, [replace(original, strategy="fixes")])[1].differing_files == 0


def test_many_missing_files_are_counted_not_all_listed() -> None:
    many = {f"/app/module{n:03}.py": 1 for n in range(MISSING_FILES_SHOWN + 5)}
    _, candidate = judge(_image("original", ORIGINAL_TEXT, app_files=many), [_image("minimal", CANDIDATE_TEXT, app_files={})])
    assert candidate.reason is not None and candidate.reason.endswith(" and 5 more")
    assert len(candidate.missing_files) == MISSING_FILES_SHOWN + 5


def test_exit_code_smoke_test_is_judged_against_the_original() -> None:
    exits = replace(MEASURED, smoke_method="exit-code", smoke_exit_code=0)
    original = _image("original", ORIGINAL_TEXT, measurements=exits)
    same = _image("fixes", CANDIDATE_TEXT, measurements=exits)
    other = _image("minimal", CANDIDATE_TEXT, measurements=replace(exits, smoke_exit_code=127))
    running = _image("multi-stage", CANDIDATE_TEXT, measurements=replace(exits, smoke_exit_code=None))
    reports = judge(original, [same, other, running])
    assert [(r.status, r.smoke) for r in reports] == [("pass", "pass"), ("pass", "pass"), ("fail", "fail"), ("fail", "fail")]
    assert reports[2].reason == "smoke test failed: exited 127, the original exited 0"
    assert reports[3].reason == "smoke test failed: kept running, the original exited 0"
    # Both still running at the time limit is the same behaviour (a server without EXPOSE).
    still = replace(exits, smoke_exit_code=None)
    assert judge(_image("original", ORIGINAL_TEXT, measurements=still), [running])[1].status == "pass"


def test_failed_build_and_failed_smoke_test_keep_the_recorded_reason() -> None:
    failed = _image("minimal", CANDIDATE_TEXT, result="fail", measurements=None, failure_reason="build failed: exit 1")
    smoke = _image(
        "multi-stage",
        CANDIDATE_TEXT,
        result="fail",
        measurements=replace(MEASURED, smoke="fail"),
        failure_reason="smoke test failed (port): port 8080 did not accept a connection",
    )
    _, built, smoked = judge(_image("original", ORIGINAL_TEXT), [failed, smoke])
    assert (built.status, built.reason, built.size_bytes, built.smoke) == ("fail", "build failed: exit 1", None, "skipped")
    assert (smoked.status, smoked.smoke) == ("fail", "fail") and smoked.reason is not None and "port 8080" in smoked.reason


def test_secrets_are_reported_with_path_and_kind_and_counted_against_the_original() -> None:
    leaky = replace(MEASURED, secrets=(SecretFinding("/app/.env", "secret file .env"),))
    reports = judge(_image("original", ORIGINAL_TEXT, measurements=leaky), [_image("minimal", CANDIDATE_TEXT)])
    assert reports[0].as_json()["secrets"] == [{"path": "/app/.env", "kind": "secret file .env"}]
    assert reports[1].secrets_delta == -1


def test_application_roots_are_copy_destinations_never_the_root_nor_a_workdir_left_behind() -> None:
    assert application_roots(ORIGINAL_TEXT) == ("/app",)
    compiled = (
        "FROM golang:1.19 AS builder\nWORKDIR /app\nCOPY . .\nRUN go build -o server\n"
        'FROM gcr.io/distroless/static-debian12\nWORKDIR /app\nCOPY --from=builder /app/server /app/server\nCMD ["/app/server"]\n'
    )
    assert application_roots(compiled) == ("/app/server",)  # the sources stay in the builder, by design
    assert application_roots('FROM debian\nCOPY run.sh /usr/local/bin/\nCOPY . /\nCMD ["run.sh"]\n') == (
        "/usr/local/bin/run.sh",
    )
    assert is_application_file("/app/src/main.py", ("/app",))
    assert not is_application_file("/app/node_modules/x/index.js", ("/app",))
    assert not is_application_file("/application/x", ("/app",))


def test_measurements_read_back_from_json_with_older_records_defaults() -> None:
    stored = {
        "size_bytes": 1, "layers": 1, "layer_sizes": [1], "build_seconds": 1.0, "cached_steps": 0,
        "cache_mounts": "none", "wasted_bytes": None, "smoke": "skipped", "smoke_stop_seconds": None,
    }  # fmt: skip
    assert Measurements.from_json(stored).secrets == () and Measurements.from_json(stored).efficiency is None
    with_secrets = {**stored, "secrets": [{"path": "/k", "kind": "private key"}]}
    assert Measurements.from_json(with_secrets).secrets == (SecretFinding("/k", "private key"),)
