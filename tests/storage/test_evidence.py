"""Build evidence on SQLite and PostgreSQL: keys, records, reuse without rebuild, races, bad URLs."""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from codi.settings import SettingsError
from codi.storage.database import SQLITE_BUSY_TIMEOUT_MS, init_db
from codi.storage.evidence import (
    LOG_TAIL_CHARS,
    AlreadyRecorded,
    BuildFailure,
    BuildOutcome,
    EvidenceStore,
    Measurements,
    ScanSummary,
    idempotency_key,
)

KEY_INPUTS = {
    "base_image_digest": "sha256:" + "a" * 64,
    "candidate_text": "FROM python:3.11-slim\nCOPY . /app\nCMD [\"python\", \"/app/main.py\"]\n",
    "context_hash": "sha256:" + "b" * 64,
    "platform": "linux/amd64",
    "module_versions": (("python-venv", "1.2.0"), ("nonroot-user", "1.0.0")),
    "codi_version": "0.1.0",
}
KEY = idempotency_key(**KEY_INPUTS)
MEASURED = Measurements(
    size_bytes=131_072_000,
    layers=7,
    layer_sizes=(74_000_000, 0, 12_000_000, 45_072_000, 0, 0, 0),
    build_seconds=42.5,
    cached_steps=3,
    cache_mounts="emulated",
    wasted_bytes=1_048_576,
    smoke="pass",
    smoke_stop_seconds=0.4,
)
PASSED = BuildOutcome(
    platform="linux/amd64",
    strategy="multi-stage",
    codi_version="0.1.0",
    module_versions=(("python-venv", "1.2.0"), ("nonroot-user", "1.0.0")),
    image_id="sha256:" + "c" * 64,
    measurements=MEASURED,
    scan=ScanSummary(scanner="trivy 0.50.1", critical=0, high=2, medium=5, low=9, unknown=1),
    sbom_path="/var/lib/codi/sbom/c.spdx.json",
    log_path="/var/lib/codi/logs/c.log",
)
FAILED = BuildOutcome(
    platform="linux/amd64",
    strategy="minimal",
    codi_version="0.1.0",
    log_path="/var/lib/codi/logs/d.log",
    failure=BuildFailure(
        reason="build failed: COPY failed: file not found: requirements.txt",
        log_tail="Step 3/7 : COPY requirements.txt .\nCOPY failed: file not found in build context\n",
    ),
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = init_db(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> EvidenceStore:
    return EvidenceStore(engine)


class CountingBuild:
    """A build callable that counts its runs; optionally waits for a partner at a barrier inside the build."""

    def __init__(self, outcome: BuildOutcome, barrier: threading.Barrier | None = None) -> None:
        self.outcome = outcome
        self.barrier = barrier
        self.runs = 0
        self._lock = threading.Lock()

    def __call__(self) -> BuildOutcome:
        with self._lock:
            self.runs += 1
        if self.barrier is not None:
            self.barrier.wait(timeout=30)
        return self.outcome


# Idempotency key


def test_key_is_a_stable_sha256_of_a_canonical_encoding() -> None:
    """Pinned: the documented encoding, hashed outside Python (`printf '%s' … | sha256sum`) gave this digest."""
    canonical = (
        '["codi-build-evidence/1","sha256:' + "a" * 64 + '",'
        '"FROM python:3.11-slim\\nCOPY . /app\\nCMD [\\"python\\", \\"/app/main.py\\"]\\n",'
        '"sha256:' + "b" * 64 + '","linux/amd64",[["nonroot-user","1.0.0"],["python-venv","1.2.0"]],"0.1.0"]'
    )
    assert KEY == idempotency_key(**KEY_INPUTS) == hashlib.sha256(canonical.encode("ascii")).hexdigest()
    assert KEY == "d941cf283352a2cd5082a9f12833e3ac9267662fd6c48af8f88f062d53afd18e"


@pytest.mark.parametrize(
    ("name", "changed"),
    [
        ("base_image_digest", "sha256:" + "d" * 64),
        ("candidate_text", KEY_INPUTS["candidate_text"] + "USER 10001\n"),
        ("candidate_text", KEY_INPUTS["candidate_text"].replace("\n", "\r\n")),
        ("context_hash", "sha256:" + "e" * 64),
        ("platform", "linux/arm64"),
        ("module_versions", (("python-venv", "1.2.1"), ("nonroot-user", "1.0.0"))),
        ("module_versions", (("python-venv", "1.2.0"),)),
        ("codi_version", "0.1.1"),
    ],
)
def test_every_input_changes_the_key(name: str, changed: object) -> None:
    assert idempotency_key(**{**KEY_INPUTS, name: changed}) != KEY


def test_module_order_does_not_change_the_key() -> None:
    reordered = tuple(reversed(KEY_INPUTS["module_versions"]))
    assert idempotency_key(**{**KEY_INPUTS, "module_versions": reordered}) == KEY


def test_fields_cannot_run_into_each_other() -> None:
    assert idempotency_key("ab", "c", "", "", (), "") != idempotency_key("a", "bc", "", "", (), "")
    assert idempotency_key("", "", "", "", (("a", "b:c"),), "") != idempotency_key("", "", "", "", (("a:b", "c"),), "")


# Records


def test_a_passed_build_round_trips(store: EvidenceStore) -> None:
    before = datetime.now(UTC)
    store.record_success(KEY, PASSED)
    record = store.get(KEY)
    assert record is not None
    assert (record.key, record.result, record.image_id) == (KEY, "pass", PASSED.image_id)
    assert (record.platform, record.strategy, record.codi_version) == ("linux/amd64", "multi-stage", "0.1.0")
    assert record.measurements == MEASURED
    assert record.scan == PASSED.scan and record.scan.total == 17
    assert (record.sbom_path, record.log_path) == (PASSED.sbom_path, PASSED.log_path)
    assert record.module_versions == [["nonroot-user", "1.0.0"], ["python-venv", "1.2.0"]]
    assert before - timedelta(seconds=1) <= record.created_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert store.get_error(KEY) is None
    assert store.get("0" * 64) is None


def test_a_failed_build_records_its_reason_and_log_tail(store: EvidenceStore) -> None:
    record = store.record_failure(KEY, FAILED)
    assert record.result == "fail" and record.image_id is None and record.measurements is None
    error = store.get_error(KEY)
    assert error is not None
    assert (error.key, error.reason, error.log_tail) == (KEY, FAILED.failure.reason, FAILED.failure.log_tail)
    assert store.get(KEY).result == "fail"


def test_a_long_log_keeps_its_end(store: EvidenceStore) -> None:
    log = "".join(f"line {number}\n" for number in range(10_000))
    failure = BuildFailure(reason="smoke test failed: exited 1", log_tail=log)
    outcome = BuildOutcome(platform="linux/amd64", strategy="fixes", codi_version="0.1.0", failure=failure)
    store.record_failure(KEY, outcome)
    error = store.get_error(KEY)
    assert len(error.log_tail) == LOG_TAIL_CHARS and log.endswith(error.log_tail)
    assert error.log_tail.endswith("line 9999\n")


def test_not_scanned_and_zero_vulnerabilities_stay_apart(store: EvidenceStore, engine: Engine) -> None:
    clean = ScanSummary(scanner="trivy 0.50.1", critical=0, high=0, medium=0, low=0, unknown=0)
    unscanned_build = BuildOutcome(platform="linux/amd64", strategy="fixes", codi_version="0.1.0")
    store.record_success("1" * 64, unscanned_build)
    store.record_success("2" * 64, dataclasses.replace(unscanned_build, scan=clean))
    assert store.get("1" * 64).scan is None
    assert store.get("2" * 64).scan == clean and store.get("2" * 64).scan.total == 0
    with engine.connect() as connection:
        unscanned = connection.execute(text("SELECT key FROM build_evidence WHERE scan IS NULL")).scalars().all()
    assert unscanned == ["1" * 64]


def test_outcome_and_method_must_agree(store: EvidenceStore) -> None:
    with pytest.raises(ValueError, match="record_failure"):
        store.record_success(KEY, FAILED)
    with pytest.raises(ValueError, match="record_success"):
        store.record_failure(KEY, PASSED)
    assert store.get(KEY) is None


def test_a_record_is_never_overwritten(store: EvidenceStore) -> None:
    store.record_success(KEY, PASSED)
    with pytest.raises(AlreadyRecorded):
        store.record_failure(KEY, FAILED)
    assert store.get(KEY).result == "pass" and store.get_error(KEY) is None


# Reuse


def test_an_unchanged_key_is_never_rebuilt(store: EvidenceStore, database_url: str) -> None:
    build = CountingBuild(PASSED)
    first, reused = store.find_or_build(KEY, build)
    assert (reused, build.runs) == (False, 1)
    for _ in range(3):
        again, reused = store.find_or_build(KEY, build)
        assert reused and again.id == first.id
    restarted = init_db(database_url)  # a new worker process on the same database
    try:
        again, reused = EvidenceStore(restarted).find_or_build(KEY, build)
    finally:
        restarted.dispose()
    assert reused and again.id == first.id
    assert build.runs == 1


def test_a_failed_key_is_not_rebuilt_either(store: EvidenceStore) -> None:
    build = CountingBuild(FAILED)
    assert store.find_or_build(KEY, build)[1] is False
    record, reused = store.find_or_build(KEY, build)
    assert reused and record.result == "fail" and build.runs == 1
    assert store.get_error(KEY).reason == FAILED.failure.reason


def test_a_changed_key_builds(store: EvidenceStore) -> None:
    build = CountingBuild(PASSED)
    store.find_or_build(KEY, build)
    other = idempotency_key(**{**KEY_INPUTS, "platform": "linux/arm64"})
    record, reused = store.find_or_build(other, build)
    assert not reused and record.key == other and build.runs == 2


def test_a_build_that_raises_records_nothing(store: EvidenceStore) -> None:
    def engine_down() -> BuildOutcome:
        raise ConnectionError("Cannot connect to the Docker daemon")

    with pytest.raises(ConnectionError):
        store.find_or_build(KEY, engine_down)
    assert store.get(KEY) is None
    build = CountingBuild(PASSED)
    assert store.find_or_build(KEY, build)[1] is False and build.runs == 1


def test_two_threads_racing_on_one_key_share_the_winners_record(store: EvidenceStore, engine: Engine) -> None:
    barrier = threading.Barrier(2)
    builds = [CountingBuild(PASSED, barrier), CountingBuild(FAILED, barrier)]
    results: list[tuple[int, bool, str]] = []

    def worker(build: CountingBuild) -> None:
        record, reused = store.find_or_build(KEY, build)
        results.append((record.id, reused, record.result))

    threads = [threading.Thread(target=worker, args=(build,)) for build in builds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [build.runs for build in builds] == [1, 1]  # both were inside their build at once
    assert len(results) == 2
    assert len({(record_id, result) for record_id, _, result in results}) == 1
    assert sorted(reused for _, reused, _ in results) == [False, True]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM build_evidence")).scalar() == 1
        errors = connection.execute(text("SELECT count(*) FROM build_error")).scalar()
    assert errors == (1 if results[0][2] == "fail" else 0)


def _race_in_process(url: str, strategy: str, barrier: Any, results: Any) -> None:
    """One worker process: open the database, wait for the other inside the build, report what it got."""
    engine = init_db(url)

    def build() -> BuildOutcome:
        barrier.wait(timeout=60)
        return BuildOutcome(platform="linux/amd64", strategy=strategy, codi_version="0.1.0")

    record, reused = EvidenceStore(engine).find_or_build(KEY, build)
    results.put((record.id, record.strategy, reused))
    engine.dispose()


def test_two_processes_racing_on_one_key_share_the_winners_record(database_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    processes = [
        context.Process(target=_race_in_process, args=(database_url, strategy, barrier, results))
        for strategy in ("fixes", "minimal")
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert len({(record_id, strategy) for record_id, strategy, _ in outcomes}) == 1
    assert sorted(reused for _, _, reused in outcomes) == [False, True]


# Databases


def test_workers_starting_together_create_the_tables_once(database_url: str) -> None:
    engines: list[Engine] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait(timeout=30)
        try:
            engines.append(init_db(database_url))
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()
    assert errors == [] and len(engines) == 4


def test_sqlite_uses_wal_and_waits_for_a_busy_writer(tmp_path: Path) -> None:
    engine = init_db(f"sqlite:///{tmp_path / 'codi.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()


def test_postgresql_url_without_driver_means_psycopg(postgres_url: str) -> None:
    engine = init_db(postgres_url.replace("postgresql+psycopg://", "postgresql://", 1))
    try:
        assert engine.url.drivername == "postgresql+psycopg"
        EvidenceStore(engine).record_success(KEY, PASSED)
        assert EvidenceStore(engine).get(KEY).measurements == MEASURED
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://codi@127.0.0.1/codi", "unsupported database 'mysql'"),
        ("sqlite://", "needs a SQLite file"),
        ("sqlite:////nonexistent-codi-dir/codi.db", "cannot be used: unable to open database file"),
        ("postgresql+psycopg://codi:s3cret@127.0.0.1:1/codi", "psycopg://codi:***@127.0.0.1:1/codi cannot be used"),
    ],
)
def test_a_bad_url_names_the_variable(url: str, says: str) -> None:
    with pytest.raises(SettingsError) as raised:
        init_db(url)
    message = str(raised.value)
    assert message.startswith("invalid configuration: CODI_DATABASE_URL")
    assert says in message
    assert "s3cret" not in message
