"""DeliveryQueue.take: one script that claims a delivery and enqueues its job exactly as arq would, on real Redis."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import redis
from arq.connections import ArqRedis
from arq.constants import default_queue_name, expires_extra_ms, job_key_prefix, result_key_prefix
from arq.jobs import deserialize_job
from arq.worker import Worker, func
from redis.exceptions import ResponseError

from codi.app.queue import DELIVERY_KEY_PREFIX, DELIVERY_TTL_SECONDS, DeliveryQueue, Taken
from codi.webhooks.jobs import REVIEW_PULL_REQUEST, RepoRef, ReviewJob
from codi.webhooks.serialization import job_deserializer, job_serializer, json_jobs
from tests.app.conftest import queued_jobs, redis_user_without, test_redis_url

pytestmark = pytest.mark.anyio

JOB = ReviewJob(
    repo=RepoRef(installation_id=1, owner="Codertocat", name="Hello-World"),
    pull_number=2,
    head_sha="a" * 40,
    head_ref="changes",
    base_ref="master",
    base_sha="b" * 40,
    head_repo_full_name="Codertocat/Hello-World",
    reason="opened",
    delivery_id="d-1",
)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def connection(redis_db: redis.Redis) -> AsyncIterator[ArqRedis]:
    arq_redis = json_jobs(ArqRedis.from_url(test_redis_url()))
    yield arq_redis
    await arq_redis.aclose()


async def run_queued_jobs() -> list[dict]:
    """Run every queued job with a real arq Worker (burst mode); the payloads its review function got."""
    received: list[dict] = []

    async def review_pull_request(ctx: dict, payload: dict) -> str:
        received.append(payload)
        return "reviewed"

    worker = Worker(
        functions=[func(review_pull_request, name=REVIEW_PULL_REQUEST)],
        redis_pool=json_jobs(ArqRedis.from_url(test_redis_url())),
        job_serializer=job_serializer,
        job_deserializer=job_deserializer,
        burst=True,
        handle_signals=False,
        poll_delay=0.01,
    )
    try:
        await worker.main()
    finally:
        await worker.close()
    assert (worker.jobs_complete, worker.jobs_failed) == (len(received), 0)
    return received


async def test_a_taken_job_is_run_by_a_real_arq_worker(connection: ArqRedis, redis_db: redis.Redis) -> None:
    assert await DeliveryQueue(connection).take("d-1", JOB) is Taken.ENQUEUED

    assert await run_queued_jobs() == [JOB.model_dump(mode="json")]
    assert redis_db.exists(result_key_prefix + JOB.job_id) == 1


async def test_the_job_is_stored_as_arqs_own_enqueue_job_stores_it(
    connection: ArqRedis, redis_db: redis.Redis
) -> None:
    await DeliveryQueue(connection).take("d-1", JOB)
    await connection.enqueue_job(JOB.function, JOB.model_dump(mode="json"), _job_id="by-arq")

    stored = [redis_db.get(job_key_prefix + job_id) for job_id in (JOB.job_id, "by-arq")]
    assert [json.loads(raw)["f"] for raw in stored] == [JOB.function, JOB.function]  # JSON, not pickle
    ours, arqs = (deserialize_job(raw, deserializer=job_deserializer) for raw in stored)
    assert (ours.function, ours.args, ours.kwargs, ours.job_try) == (arqs.function, arqs.args, arqs.kwargs, None)
    assert redis_db.zscore(default_queue_name, JOB.job_id) == ours.enqueue_time.timestamp() * 1000
    for job_id in (JOB.job_id, "by-arq"):
        assert expires_extra_ms - 5_000 < redis_db.pttl(job_key_prefix + job_id) <= expires_extra_ms
    assert 0 < redis_db.ttl(DELIVERY_KEY_PREFIX + "d-1") <= DELIVERY_TTL_SECONDS


async def test_a_redelivery_is_a_duplicate(connection: ArqRedis, redis_db: redis.Redis) -> None:
    queue = DeliveryQueue(connection)
    await queue.take("d-1", JOB)

    assert await queue.take("d-1", JOB) is Taken.DUPLICATE
    assert list(queued_jobs(redis_db)) == [JOB.job_id]


async def test_a_job_id_arq_already_queued_is_not_queued_again(connection: ArqRedis, redis_db: redis.Redis) -> None:
    await connection.enqueue_job(JOB.function, {"queued": "by arq"}, _job_id=JOB.job_id)

    assert await DeliveryQueue(connection).take("d-2", JOB) is Taken.ALREADY_QUEUED
    jobs = queued_jobs(redis_db)
    assert list(jobs) == [JOB.job_id] and jobs[JOB.job_id].args == [{"queued": "by arq"}]
    assert redis_db.exists(DELIVERY_KEY_PREFIX + "d-2") == 1, "the delivery itself was taken"


async def test_arq_does_not_queue_again_a_job_id_taken_here(connection: ArqRedis) -> None:
    await DeliveryQueue(connection).take("d-1", JOB)

    assert await connection.enqueue_job(JOB.function, {}, _job_id=JOB.job_id) is None


async def test_a_finished_job_is_not_queued_again(connection: ArqRedis, redis_db: redis.Redis) -> None:
    queue = DeliveryQueue(connection)
    await queue.take("d-1", JOB)
    await run_queued_jobs()

    assert await queue.take("d-2", JOB) is Taken.ALREADY_QUEUED
    assert queued_jobs(redis_db) == {}


@pytest.mark.parametrize("refused", ["psetex", "zadd"])
async def test_a_write_refused_half_way_leaves_nothing_behind(redis_db: redis.Redis, refused: str) -> None:
    with redis_user_without(redis_db, refused) as url:
        limited = json_jobs(ArqRedis.from_url(url))
        try:
            with pytest.raises(ResponseError, match="can.t run this command"):
                await DeliveryQueue(limited).take("d-1", JOB)
        finally:
            await limited.aclose()

    assert redis_db.keys("*") == []
