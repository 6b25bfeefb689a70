"""arq's jobs and results in Redis as JSON, never pickle: whoever can write to Redis must not run code in a worker.

arq 0.28 pickles by default, and unpickling is code execution. Every ArqRedis and
Worker codi makes takes these two functions. A job that is not JSON (a pickle written
by anyone) fails to deserialize; arq then logs `deserializing job <id> failed` with
this module's reason, stores a failed result and goes on with the next job: nothing
of it runs. A failed job's result is its exception, which JSON cannot hold: it is
stored as `{"error": <type>, "message": <text>}`.
"""

from __future__ import annotations

import json
from typing import Any

from arq.connections import ArqRedis


def job_serializer(value: Any) -> bytes:
    return json.dumps(value, default=_exception, separators=(",", ":")).encode()


def job_deserializer(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"refused: not a JSON job ({len(data)} bytes, starting {data[:8]!r}): {error}") from None


def _exception(value: Any) -> dict[str, str]:
    if isinstance(value, BaseException):
        return {"error": type(value).__name__, "message": str(value)}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_jobs(redis: ArqRedis) -> ArqRedis:
    """`redis` writing and reading jobs as JSON (an ArqRedis made by `from_url` takes no serializer)."""
    redis.job_serializer, redis.job_deserializer = job_serializer, job_deserializer
    return redis
