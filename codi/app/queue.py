"""The receiver's only I/O edge: delivery keys and arq jobs in Redis."""

from __future__ import annotations

from arq.connections import ArqRedis

from codi.webhooks.jobs import Job

DELIVERY_TTL_SECONDS = 3 * 24 * 3600
"""How long a delivery id is remembered: GitHub lets a delivery be redelivered for 3 days."""
DELIVERY_KEY_PREFIX = "codi:delivery:"


class DeliveryQueue:
    """Claims delivery ids (SET NX) and enqueues jobs under their own ids."""

    def __init__(self, redis: ArqRedis) -> None:
        self.redis = redis

    async def claim(self, delivery_id: str) -> bool:
        """True the first time a delivery id is seen within the TTL."""
        return bool(await self.redis.set(DELIVERY_KEY_PREFIX + delivery_id, b"1", nx=True, ex=DELIVERY_TTL_SECONDS))

    async def release(self, delivery_id: str) -> None:
        """Forget a claim, so GitHub's redelivery of a delivery that was not enqueued gets through."""
        await self.redis.delete(DELIVERY_KEY_PREFIX + delivery_id)

    async def enqueue(self, job: Job) -> bool:
        """True when queued; False when a job with that id is already queued or finished recently."""
        queued = await self.redis.enqueue_job(job.function, job.model_dump(mode="json"), _job_id=job.job_id)
        return queued is not None

    async def ping(self) -> bool:
        return bool(await self.redis.ping())
