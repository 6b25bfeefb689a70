"""The run store on SQLite and PostgreSQL: a run read back whole, filtered and paged lists, per-stack aggregates,
pruning (rows and evidence files), and the recorder's stage timings."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from codi.pipeline.lint import ScriptFinding, ScriptInput, fix_passes, lint_text
from codi.pipeline.measured import ImageReport, ScanSummary
from codi.pipeline.optimize.optimizer import optimize
from codi.storage.database import init_db
from codi.storage.evidence import BuildFailure, BuildOutcome, EvidenceStore
from codi.storage.runs import (
    Run,
    RunFilter,
    RunMeasurement,
    RunNotFound,
    RunRecorder,
    RunStore,
    applied_file,
    environment,
    run_file,
    sha256_text,
)
from tests.storage.test_rankings import FALLBACK

NOW = datetime.now(UTC).replace(microsecond=0)
PYTHON = "FROM python:3.11\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD python /app/main.py\n"
NODE = "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD node server.js\n"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = init_db(database_url)
    yield engine
    engine.dispose()


def measured(strategy: str, status: str, ratio: float | None, key: str = "") -> RunMeasurement:
    return RunMeasurement(strategy=strategy, evidence_key=key, status=status, size_bytes=100, size_delta_ratio=ratio,
                          vulnerabilities=3, smoke="pass" if status == "pass" else "fail")  # fmt: skip


def a_run(
    text: str = PYTHON,
    repository: str | None = "Octo/App",
    started: datetime = NOW,
    outcome: str = "failure",
    measurements: list[RunMeasurement] | None = None,
) -> Run:
    file = run_file("Dockerfile", text, lint_text(text).findings, optimize("Dockerfile", text))
    file.measurements = measurements or []
    return Run(kind="app", outcome=outcome, started_at=started, finished_at=started + timedelta(seconds=3),
               repository=repository, pull_number=7, head_sha="a" * 40, files=[file],
               environment=environment("SmolLM2", ["models.internal"], "none"),
               durations={"analyse": 0.5, "post": 0.25})  # fmt: skip


def test_a_run_is_read_back_as_it_was_recorded(engine: Engine) -> None:
    store = RunStore(engine)
    run = a_run(measurements=[measured("original", "pass", None, "k" * 64), measured("multi-stage", "pass", -0.6)])
    run_id = store.record(run)
    stored = store.get(run_id)
    assert stored == run.model_copy(update={"id": run_id})
    [file] = stored.files
    assert file.sha256 == sha256_text(PYTHON) and file.text == PYTHON and file.stack == "python"
    assert {finding.code for finding in file.findings} >= {"DL3025", "DL3042"}
    proposed = optimize("Dockerfile", PYTHON).candidates
    assert [candidate.strategy for candidate in file.candidates] == [candidate.strategy for candidate in proposed]
    assert stored.environment.model == "SmolLM2" and stored.environment.network == "models.internal"
    assert stored.environment.module_versions["security"] and len(stored.environment.catalog_version) == 12
    assert stored.started_at.tzinfo is not None
    with pytest.raises(RunNotFound, match="no run 999"):
        store.get(999)


def test_lists_are_filtered_newest_first_and_paged(engine: Engine) -> None:
    store = RunStore(engine)
    old = store.record(a_run(started=NOW - timedelta(days=3), outcome="success"))
    node = store.record(a_run(NODE, started=NOW - timedelta(days=1)))
    local = store.record(a_run(repository=None, started=NOW).model_copy(update={"kind": "optimize"}))

    page = store.list()
    assert [run.id for run in page.runs] == [local, node, old] and page.total == 3
    assert (page.runs[1].stacks, page.runs[1].files, page.runs[1].candidates > 0) == (["node"], 1, True)
    assert [run.id for run in store.list(RunFilter(repository="octo/app")).runs] == [node, old]  # any case
    assert [run.id for run in store.list(RunFilter(stack="node")).runs] == [node]
    assert [run.id for run in store.list(RunFilter(outcome="success")).runs] == [old]
    assert [run.id for run in store.list(RunFilter(kind="optimize")).runs] == [local]
    window = RunFilter(since=NOW - timedelta(days=2), until=NOW)
    assert [run.id for run in store.list(window).runs] == [node]
    second = store.list(offset=1, limit=1)
    assert ([run.id for run in second.runs], second.total) == ([node], 3)
    assert store.list(RunFilter(stack="rust")).model_dump() == {"runs": [], "total": 0}


def test_aggregates_per_stack(engine: Engine) -> None:
    store = RunStore(engine)
    store.record(a_run(measurements=[measured("original", "pass", None), measured("multi-stage", "pass", -0.5),
                                     measured("slim", "fail", None)]))  # fmt: skip
    store.record(a_run(measurements=[measured("original", "pass", None), measured("multi-stage", "pass", -0.7)]))
    store.record(a_run(NODE))
    node, python = store.stack_aggregates()  # by stack name
    assert (python.stack, python.runs, python.files) == ("python", 2, 2)
    assert python.median_size_reduction == pytest.approx(0.6)
    assert (python.candidates_measured, python.candidates_passed, python.pass_rate) == (3, 2, pytest.approx(2 / 3))
    assert python.findings_by_rule["DL3025"] == 2
    assert (node.stack, node.median_size_reduction, node.pass_rate) == ("node", None, None)
    assert [aggregate.stack for aggregate in store.stack_aggregates(RunFilter(stack="node"))] == ["node"]


def an_apply_run(text: str, commit_sha: str = "c" * 40) -> Run:
    """`/codi apply` on `text`: its findings are the fixes `fix_passes` applied."""
    file = applied_file("Dockerfile", text, fix_passes(text).applied, "python" if text == PYTHON else "node")
    return Run(kind="apply", outcome="applied", started_at=NOW, finished_at=NOW + timedelta(seconds=1),
               repository="Octo/App", pull_number=7, head_sha="a" * 40, commit_sha=commit_sha, files=[file],
               environment=environment(), durations={"analyse": 0.1, "post": 0.2})  # fmt: skip


def test_an_apply_run_keeps_the_pushed_commit_and_the_fixes_it_committed(engine: Engine) -> None:
    store = RunStore(engine)
    run = an_apply_run(PYTHON)
    stored = store.get(store.record(run))
    assert (stored.kind, stored.head_sha, stored.commit_sha) == ("apply", "a" * 40, "c" * 40)
    [file] = stored.files
    assert (file.text, file.stack) == (PYTHON, "python")
    applied = fix_passes(PYTHON).applied
    assert applied and [(f.code, f.line, f.message) for f in file.findings] == [
        (fix.code, fix.finding.span.line, fix.finding.message) for fix in applied
    ]


def test_fixes_applied_are_counted_per_stack_and_rule_from_apply_runs_only(engine: Engine) -> None:
    store = RunStore(engine)
    store.record(a_run())
    store.record(an_apply_run(PYTHON))
    store.record(an_apply_run(PYTHON, "d" * 40))
    store.record(an_apply_run(NODE))
    node, python = store.stack_aggregates()
    fixed = Counter(fix.code for fix in fix_passes(PYTHON).applied)
    assert python.fixes_applied_by_rule == {code: 2 * number for code, number in fixed.items()}  # two apply runs
    assert "DL3025" in fixed
    # the review's findings only: an apply run's are fixes, counted apart
    assert python.findings_by_rule == dict(Counter(f.code for f in lint_text(PYTHON).findings))
    assert (python.runs, python.files) == (3, 3)
    assert node.findings_by_rule == {} and node.fixes_applied_by_rule
    assert node.fixes_applied_by_rule == Counter(f.code for f in fix_passes(NODE).applied)
    assert store.stack_aggregates(RunFilter(kind="app"))[0].fixes_applied_by_rule == {}


def test_prune_removes_old_runs_and_the_evidence_only_they_used(engine: Engine, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "evidence" / "logs").mkdir(parents=True)
    logs = {"old": data / "evidence" / "logs" / "old.log", "kept": data / "evidence" / "logs" / "kept.log",
            "foreign": tmp_path / "elsewhere.log"}  # fmt: skip
    keys = {name: name[0] * 64 for name in logs}
    evidence = EvidenceStore(engine)
    for name, log in logs.items():
        log.write_text("build log\n")
        failure = BuildFailure("failed", "tail")
        outcome = BuildOutcome("linux/amd64", "minimal", "0.1.0", log_path=str(log), failure=failure)
        evidence.record_failure(keys[name], outcome)
    store = RunStore(engine)
    for name, started in (("old", NOW - timedelta(days=40)), ("foreign", NOW - timedelta(days=40)),
                          ("kept", NOW + timedelta(hours=1))):  # fmt: skip
        store.record(a_run(started=started, measurements=[measured("original", "fail", None, keys[name])]))

    result = store.prune(datetime.now(UTC) - timedelta(days=30), data)
    assert (result.runs, result.evidence, result.files) == (2, 0, 0)  # the evidence is newer than the cutoff
    assert all(evidence.get(key) is not None for key in keys.values())

    result = store.prune(datetime.now(UTC) + timedelta(seconds=1), data)
    assert (result.runs, result.evidence, result.files) == (0, 2, 1)
    assert [run.started_at for run in store.list().runs] == [NOW + timedelta(hours=1)]
    assert evidence.get(keys["old"]) is None and evidence.get_error(keys["old"]) is None and not logs["old"].exists()
    assert evidence.get(keys["foreign"]) is None and logs["foreign"].exists()  # a file outside the data folder stays
    assert evidence.get(keys["kept"]) is not None and logs["kept"].exists()  # a kept run links it


class SlowChecker:
    def check_scripts(self, scripts: list[ScriptInput]) -> list[list[ScriptFinding]]:
        time.sleep(0.2)
        return [[] for _ in scripts]


def test_the_recorder_times_stages_and_takes_shellcheck_out_of_lint() -> None:
    recorder = RunRecorder("review", local_path="/src")
    checker = recorder.timed_checker(SlowChecker())
    assert checker is not None and recorder.timed_checker(None) is None
    start = time.perf_counter()
    with recorder.stage("lint"):
        time.sleep(0.1)
        checker.check_scripts([])
    block = time.perf_counter() - start
    time.sleep(0.05)
    recorder.lap("post")
    gap = time.perf_counter() - start - block
    run = recorder.finish("success", environment())
    assert set(run.durations) == {"lint", "shellcheck", "post"}
    assert run.durations["shellcheck"] >= 0.2 and run.durations["lint"] >= 0.1
    assert run.durations["lint"] + run.durations["shellcheck"] == pytest.approx(block, abs=0.01)
    assert 0.05 <= run.durations["post"] <= gap + 0.01  # from the end of the last stage, not from the start
    assert run.finished_at >= run.started_at and run.environment.network == "air-gapped"


def image(strategy: str, key: str, size: int, ratio: float | None, scan: ScanSummary | None) -> ImageReport:
    return ImageReport(
        strategy=strategy, status="pass", reason=None, size_bytes=size, layers=5, build_seconds=10.0, smoke="pass",
        wasted_bytes=0, efficiency=1.0, vulnerabilities=scan, secrets=(), size_delta_ratio=ratio, layers_delta=None,
        vulnerabilities_delta=None, secrets_delta=None, missing_files=(), reused=True, key=key, cache_mounts="none",
        log_path=None, sbom_path=None, smoke_stop_seconds=0.1,
    )  # fmt: skip


def test_measured_images_and_the_ranking_are_kept_with_their_evidence_keys(engine: Engine) -> None:
    scan = ScanSummary("trivy 0.50.1", critical=1, high=2, medium=3, low=4, unknown=5)
    reports = [image("original", "a" * 64, 900, None, scan), image("multi-stage", "b" * 64, 300, -2 / 3, None)]
    file = run_file("svc/Dockerfile", PYTHON, optimized=optimize("svc/Dockerfile", PYTHON), reports=reports,
                    ranked=FALLBACK)  # fmt: skip
    assert [(m.strategy, m.evidence_key, m.size_bytes, m.vulnerabilities, m.reused) for m in file.measurements] == [
        ("original", "a" * 64, 900, 15, True), ("multi-stage", "b" * 64, 300, None, True),
    ]  # fmt: skip
    assert file.ranking is not None and file.ranking.model_dump() == {
        "order": ["multi-stage", "fixes"], "source": "deterministic", "deterministic": ["multi-stage", "fixes"],
        "model": "SmolLM2-135M-Instruct.Q4_1", "prompt_tokens": 480, "output_tokens": 0, "latency_s": 30.2,
        "fallback_reason": "timeout",
    }  # fmt: skip
    store = RunStore(engine)
    run = a_run().model_copy(update={"files": [file]})
    stored = store.get(store.record(run))
    assert stored.files == [file] and stored.files[0].measurements[1].size_delta_ratio == pytest.approx(-2 / 3)


def test_texts_that_are_not_utf8_or_hold_nul_are_stored_replaced_with_the_originals_hash(engine: Engine) -> None:
    raw = b'FROM debian:12\nRUN echo "caf\xe9" \x00\n'
    text = raw.decode("utf-8", "surrogateescape")  # as the CLI reads a file
    store = RunStore(engine)
    [file] = store.get(store.record(a_run().model_copy(update={"files": [run_file("Dockerfile", text)]}))).files
    assert file.text == 'FROM debian:12\nRUN echo "caf\ufffd" \ufffd\n'
    assert file.sha256 == hashlib.sha256(raw).hexdigest()
