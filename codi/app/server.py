"""The receiver: GitHub webhook deliveries in, arq jobs out, nothing else in the request path.

A delivery is verified (HMAC-SHA256 of the raw body), decoded, routed to a
job (`codi.webhooks.routing`), claimed once by its delivery id and enqueued,
all before answering 202 (bodies over GitHub's 25 MB cap are refused with 413 before
they are read, malformed headers and payloads with 400, never a 500): the only I/O is one Redis round trip (a script that
claims and enqueues atomically), so GitHub gets its answer in milliseconds and
the workers do the GitHub calls.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq.connections import ArqRedis
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from githubkit.webhooks import verify
from pydantic_core import from_json
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from codi.app.api import include_api
from codi.app.metrics import CONTENT_TYPE, Metrics
from codi.app.queue import DeliveryQueue, Taken
from codi.logs import clip
from codi.settings import Settings
from codi.webhooks.jobs import Job
from codi.webhooks.payloads import PayloadError
from codi.webhooks.routing import Ignored, RoutingPolicy, route
from codi.webhooks.serialization import json_jobs

log = logging.getLogger("codi.app")

WEBHOOK_PATH = "/webhooks/github"
REDIS_TIMEOUT_SECONDS = 2.0
"""Connect and command timeout towards Redis: well inside GitHub's 10 s delivery timeout."""
_REDIS_ERRORS = (RedisError, OSError, TimeoutError)
MAX_BODY_BYTES = 25 * 1024 * 1024
"""GitHub caps webhook payloads at 25 MB and never sends a larger one."""
DELIVERY_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
"""GitHub's delivery ids are UUIDs (GUIDs); codi's keys and job ids take no other characters from them."""
EVENT_NAME = re.compile(r"[a-z0-9_]{1,64}")
"""GitHub's event names, e.g. `pull_request`, `projects_v2_item`."""
_ROUTES = frozenset({WEBHOOK_PATH, "/healthz", "/readyz", "/metrics"})


class _LatencyMiddleware:
    """Observes every HTTP request's duration under its route (plain ASGI: no per-request task)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            path = scope["path"] if scope["path"] in _ROUTES else "other"
            self.metrics.request_seconds.labels(path).observe(time.perf_counter() - start)


def _answer(code: int, **content: object) -> JSONResponse:
    return JSONResponse(content, status_code=code)


async def _read_body(request: Request) -> bytes | None:
    """The body, or None past `MAX_BODY_BYTES`: refused on its Content-Length before reading anything, else
    (a chunked body has none) as soon as the bytes streamed in pass the cap; the rest is never read."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


def create_app(settings: Settings, redis: ArqRedis | None = None) -> FastAPI:
    """The receiver app. Without `redis`, its lifespan opens (and closes) a connection to
    `settings.redis_url`; a given connection stays the caller's to close."""
    metrics = Metrics()
    policy = RoutingPolicy(github_app_id=settings.github_app_id, review_drafts=settings.review_drafts)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        connection = json_jobs(redis or ArqRedis.from_url(
            settings.redis_url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        ))
        app.state.queue = DeliveryQueue(connection)
        try:
            yield
        finally:
            if redis is None:
                await connection.aclose()

    app = FastAPI(title="codi", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.metrics = metrics
    app.add_middleware(_LatencyMiddleware, metrics=metrics)

    async def receive_delivery(request: Request) -> Response:
        """Registered as a plain Starlette route: FastAPI's dependency solving would cost more than the
        handler's own work, and there is nothing for it to inject or validate."""
        body = await _read_body(request)
        if body is None:
            metrics.deliveries.labels("unverified", "too_large").inc()
            log.warning(
                "delivery %s rejected: body over %d bytes", clip(request.headers.get("x-github-delivery")), MAX_BODY_BYTES
            )
            return _answer(413, error=f"body over {MAX_BODY_BYTES} bytes (GitHub's cap for webhook payloads)")
        signature = request.headers.get("x-hub-signature-256", "")
        if not signature.startswith("sha256=") or not verify(settings.webhook_secret, body, signature):
            metrics.deliveries.labels("unverified", "bad_signature").inc()
            log.warning("delivery %s rejected: missing or wrong signature", clip(request.headers.get("x-github-delivery")))
            return _answer(401, error="missing or wrong X-Hub-Signature-256")
        event = request.headers.get("x-github-event", "")
        delivery_id = request.headers.get("x-github-delivery", "")
        well_formed = EVENT_NAME.fullmatch(event) and DELIVERY_ID.fullmatch(delivery_id)
        if not well_formed:
            metrics.deliveries.labels(event if EVENT_NAME.fullmatch(event) else "unknown", "bad_request").inc()
        if not event or not delivery_id:
            return _answer(400, error="missing X-GitHub-Event or X-GitHub-Delivery header")
        if not well_formed:
            log.warning("delivery %s (%s) rejected: malformed header", clip(delivery_id), clip(event))
            return _answer(
                400,
                error="X-GitHub-Event must be an event name (a-z, 0-9, _) and X-GitHub-Delivery a delivery id "
                "(letters, digits and -), each at most 64 characters",
            )
        try:
            outcome = route(event, from_json(body), delivery_id, policy)
        except PayloadError as error:
            metrics.deliveries.labels(event, "bad_payload").inc()
            log.warning("delivery %s (%s) rejected: %s", delivery_id, event, error)
            return _answer(400, error=f"invalid {event} payload: {error}")
        except ValueError as error:  # from_json: not JSON
            metrics.deliveries.labels(event, "bad_payload").inc()
            log.warning("delivery %s (%s) rejected: malformed JSON: %s", delivery_id, event, error)
            return _answer(400, error=f"malformed JSON: {error}")
        if isinstance(outcome, Ignored):
            metrics.deliveries.labels(event, "ignored").inc()
            log.info("delivery %s (%s) ignored: %s", delivery_id, event, outcome.reason)
            return _answer(202, status="ignored", reason=outcome.reason)
        return await _enqueue(request.app.state.queue, event, delivery_id, outcome)

    async def _enqueue(queue: DeliveryQueue, event: str, delivery_id: str, job: Job) -> Response:
        try:
            taken = await queue.take(delivery_id, job)
        except _REDIS_ERRORS as error:
            # The script undoes its own writes when Redis refuses one; a connection lost after the
            # script was sent leaves its fate unknown, so the claim is dropped for the redelivery.
            await _release(queue, delivery_id)
            metrics.deliveries.labels(event, "unavailable").inc()
            metrics.queue_unavailable.labels(event).inc()
            log.error("delivery %s (%s) not enqueued: Redis: %s", delivery_id, event, error)
            return _answer(503, error="queue unavailable, redeliver later")
        if taken is Taken.DUPLICATE:
            metrics.deliveries.labels(event, "duplicate").inc()
            log.info("delivery %s (%s) is a redelivery: nothing enqueued", delivery_id, event)
            return _answer(202, status="duplicate")
        outcome = "enqueued" if taken is Taken.ENQUEUED else "already_queued"
        metrics.deliveries.labels(event, outcome).inc()
        if taken is Taken.ENQUEUED:
            metrics.jobs_enqueued.labels(job.function).inc()
        log.info("delivery %s (%s): %s %s", delivery_id, event, outcome, job.job_id)
        return _answer(202, status=outcome, job_id=job.job_id, function=job.function)

    async def _release(queue: DeliveryQueue, delivery_id: str) -> None:
        try:
            await queue.release(delivery_id)
        except _REDIS_ERRORS as error:
            log.error(
                "delivery %s: claim, if the script made one, not released (a redelivery is a duplicate for 3 days): %s",
                delivery_id,
                error,
            )

    app.add_route(WEBHOOK_PATH, receive_delivery, methods=["POST"])

    @app.get("/healthz")
    async def healthz() -> Response:
        return _answer(200, status="ok")

    @app.get("/readyz")
    async def readyz(request: Request) -> Response:
        try:
            await asyncio.wait_for(request.app.state.queue.ping(), REDIS_TIMEOUT_SECONDS)
        except _REDIS_ERRORS as error:
            return _answer(503, status="unavailable", redis=str(error) or type(error).__name__)
        return _answer(200, status="ready")

    @app.get("/metrics")
    async def metrics_text() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    include_api(app, settings)
    return app
