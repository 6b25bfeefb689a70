"""Jobs in Redis are JSON: a pickled job written into Redis by anyone is refused and logged, never run, and the
worker goes on with the next job (real Redis, a real arq worker)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from arq.connections import ArqRedis, RedisSettings
from arq.constants import default_queue_name, job_key_prefix, result_key_prefix

from codi.settings import Settings
from codi.webhooks.jobs import RECORD_INSTALLATION, InstallationJob
from codi.worker.jobs import InstallationStore
from codi.webhooks.serialization import job_deserializer, job_serializer, json_jobs
from tests.worker.conftest import run_jobs


class _LeavesATrace:
    """Unpickling this makes the folder `path`: the trace a pickled job's code would leave."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.path),)


def test_a_pickled_job_is_refused_logged_and_never_run(
    settings: Settings, redis_db: redis.Redis, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    trace = tmp_path / "pickle-ran"
    pickled = pickle.dumps(
        {"t": 1, "f": RECORD_INSTALLATION, "a": (_LeavesATrace(trace),), "k": {}, "et": int(time.time() * 1000)}
    )
    assert pickle.loads(pickled) and trace.is_dir()  # the payload really runs code when unpickled
    trace.rmdir()
    redis_db.psetex(job_key_prefix + "evil", 60_000, pickled)
    redis_db.zadd(default_queue_name, {"evil": 1})
    honest = InstallationJob(installation_id=42, action="created", account="octo", delivery_id="d-1")

    with caplog.at_level(logging.INFO, logger="arq"):
        counts = run_jobs(settings, honest)

    assert not trace.exists()
    assert counts == {"complete": 1, "failed": 1, "retried": 0}
    [refusal] = [r for r in caplog.records if r.getMessage() == "deserializing job evil failed"]
    assert refusal.levelno == logging.ERROR and refusal.exc_info is not None
    assert "refused: not a JSON job" in repr(refusal.exc_info[1].__cause__)
    # Its failure is stored as JSON, and the honest job after it ran.
    result = json.loads(redis_db.get(result_key_prefix + "evil"))
    assert result["s"] is False and result["r"]["error"] == "DeserializationError"
    assert redis_db.hget(InstallationStore.key(42), "account") == b"octo"
    stored = redis_db.get(result_key_prefix + honest.job_id)
    assert json.loads(stored)["r"] == "installation 42 created"


def test_serializer_round_trips_jobs_and_stores_exceptions_as_json() -> None:
    job = {"t": 1, "f": "x", "a": [{"k": [1, 2]}], "k": {}, "et": 5}
    assert job_deserializer(job_serializer(job)) == job
    assert json.loads(job_serializer({"r": ValueError("bad input")})) == {
        "r": {"error": "ValueError", "message": "bad input"}
    }
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        job_serializer({"r": {1}})
    with pytest.raises(ValueError, match=r"refused: not a JSON job \(\d+ bytes, starting b'\\x80"):
        job_deserializer(pickle.dumps({"f": "x"}))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://:s3cret@redis.internal:6380/2", ("redis.internal", 6380, 2, None, "s3cret", False)),
        ("redis://codi:s3cret@redis.internal/0", ("redis.internal", 6379, 0, "codi", "s3cret", False)),
        ("rediss://:s3cret@redis.example.com:6380/1", ("redis.example.com", 6380, 1, None, "s3cret", True)),
    ],
)
def test_redis_urls_with_password_and_tls(url: str, expected: tuple[object, ...]) -> None:
    parsed = RedisSettings.from_dsn(url)
    # `redis://:pw@` gives username "": redis-py then sends `AUTH pw` (a password-only server's form).
    username = parsed.username or None
    assert (parsed.host, parsed.port, parsed.database, username, parsed.password, parsed.ssl) == expected


@pytest.fixture
def password_redis(tmp_path: Path) -> Iterator[str]:
    """A throwaway redis-server that wants a password, on a free port; its URL with the password."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--requirepass", "pa55word",
         "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=port, password="pa55word").ping()
                break
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://:pa55word@127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(10)


def test_a_job_runs_through_a_password_protected_redis(settings: Settings, password_redis: str) -> None:
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis.from_url(password_redis.replace(":pa55word@", "")).ping()
    job = InstallationJob(installation_id=43, action="created", account="octo", delivery_id="d-2")
    counts = run_jobs(settings.model_copy(update={"redis_url": password_redis}), job)
    assert counts["complete"] == 1
    assert redis.Redis.from_url(password_redis).hget(InstallationStore.key(43), "account") == b"octo"
    # The receiver's connection (ArqRedis.from_url, as `create_app` makes it) takes the same URL.
    assert asyncio.run(_receiver_ping(password_redis))


async def _receiver_ping(url: str) -> bool:
    connection = json_jobs(ArqRedis.from_url(url))
    try:
        return bool(await connection.ping())
    finally:
        await connection.aclose()
