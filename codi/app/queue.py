"""The receiver's only I/O edge: delivery keys and arq jobs in Redis, in one round trip per delivery."""

from __future__ import annotations

from enum import Enum

from arq.connections import ArqRedis
from arq.constants import default_queue_name, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms

from codi.webhooks.jobs import Job

DELIVERY_TTL_SECONDS = 3 * 24 * 3600
"""How long a delivery id is remembered: GitHub lets a delivery be redelivered for 3 days."""
DELIVERY_KEY_PREFIX = "codi:delivery:"

_TAKE_SCRIPT = """
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
if redis.call('EXISTS', KEYS[2], KEYS[3]) > 0 then return 1 end
local stored = redis.pcall('PSETEX', KEYS[2], ARGV[2], ARGV[5])
if type(stored) == 'table' and stored.err then
    redis.call('DEL', KEYS[1])
    return stored
end
local queued = redis.pcall('ZADD', KEYS[4], ARGV[3], ARGV[4])
if type(queued) == 'table' and queued.err then
    redis.call('DEL', KEYS[1], KEYS[2])
    return queued
end
return 2
"""
"""Claim the delivery id (SET NX EX), then do what arq's `enqueue_job` does with `_job_id`
(skip when `arq:job:<id>` or `arq:result:<id>` exists, else PSETEX the serialized job and
ZADD its id to the queue scored by enqueue time), atomically. Redis never rolls a script
back, so a write refused half-way (an ACL, OOM) undoes the writes before it and returns
the error: nothing is left claimed or half-queued."""


class Taken(Enum):
    """What taking a delivery did; the value is the script's reply."""

    DUPLICATE = 0
    """The delivery id was claimed before: a redelivery, nothing enqueued."""
    ALREADY_QUEUED = 1
    """A new delivery whose job id is queued or finished recently (arq's `_job_id` dedupe)."""
    ENQUEUED = 2


class DeliveryQueue:
    """Claims delivery ids and enqueues their jobs under the jobs' own ids, as arq would."""

    def __init__(self, redis: ArqRedis, queue_name: str = default_queue_name) -> None:
        self.redis = redis
        self.queue_name = queue_name
        self._take = redis.register_script(_TAKE_SCRIPT)

    async def take(self, delivery_id: str, job: Job) -> Taken:
        """Claim `delivery_id` and enqueue `job` unless either was seen before; one Redis round trip."""
        enqueue_time_ms = timestamp_ms()
        arguments = (job.model_dump(mode="json"),)
        serializer = self.redis.job_serializer
        serialized = serialize_job(job.function, arguments, {}, None, enqueue_time_ms, serializer=serializer)
        reply = await self._take(
            keys=[
                DELIVERY_KEY_PREFIX + delivery_id,
                job_key_prefix + job.job_id,
                result_key_prefix + job.job_id,
                self.queue_name,
            ],
            args=[DELIVERY_TTL_SECONDS, self.redis.expires_extra_ms, enqueue_time_ms, job.job_id, serialized],
        )
        return Taken(reply)

    async def release(self, delivery_id: str) -> None:
        """Forget a claim, so GitHub's redelivery of a delivery that was not enqueued gets through."""
        await self.redis.delete(DELIVERY_KEY_PREFIX + delivery_id)

    async def ping(self) -> bool:
        return bool(await self.redis.ping())
