"""What GitHub never sends is refused: oversized bodies, malformed headers, payloads of the wrong shape, and
Redis being down is counted. Against the real app (and `codi serve` itself) with real Redis."""

from __future__ import annotations

import json
import logging
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codi.app import create_app
from codi.app.server import MAX_BODY_BYTES
from codi.webhooks.jobs import CommentCommandJob, InstallationJob, ReviewJob
from tests.app.conftest import _EXAMPLES, deliver, example, make_settings, queued_jobs, sign
from tests.app.test_service import _sample, served  # noqa: F401  # fixture
from tests.app.test_webhooks import closed_port  # noqa: F401  # fixture

pytestmark = pytest.mark.anyio
HANDLED = ("pull_request", "check_run", "issue_comment", "installation", "installation_repositories")
_MODELS = {"review_pull_request": ReviewJob, "handle_comment_command": CommentCommandJob,
           "record_installation": InstallationJob}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _ping_body(size: int) -> bytes:
    """A JSON `ping` payload of exactly `size` bytes."""
    frame = b'{"zen": ""}'
    return frame[:-2] + b"a" * (size - len(frame)) + frame[-2:]


def test_a_body_at_the_cap_is_taken(client: TestClient, redis_db: redis.Redis) -> None:
    response = deliver(client, "ping", body=_ping_body(MAX_BODY_BYTES))

    assert response.status_code == 202 and response.json()["status"] == "ignored"


def test_a_body_over_the_cap_is_413_and_counted(client: TestClient, redis_db: redis.Redis) -> None:
    response = deliver(client, "ping", body=_ping_body(MAX_BODY_BYTES + 1))

    assert response.status_code == 413
    assert response.json() == {"error": f"body over {MAX_BODY_BYTES} bytes (GitHub's cap for webhook payloads)"}
    assert _sample(client.get("/metrics").text, "codi_webhook_deliveries_total", event="unverified",
                   outcome="too_large") == 1  # fmt: skip


async def test_a_chunked_body_is_cut_off_once_it_passes_the_cap(key_path: Path, redis_db: redis.Redis) -> None:
    """No Content-Length: the receiver counts while streaming and stops pulling chunks past the cap."""
    pulled = 0
    chunk = b"x" * (1024 * 1024)

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(100):
            pulled += 1
            yield chunk

    app = create_app(make_settings(key_path))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://codi") as client:
            response = await client.post("/webhooks/github", content=body(), headers={"X-GitHub-Event": "ping"})

    assert response.status_code == 413
    assert pulled == MAX_BODY_BYTES // len(chunk) + 1, "chunks after the one that passed the cap stay unread"


def test_codi_serve_answers_413_on_the_declared_length_without_waiting_for_the_body(served: str) -> None:  # noqa: F811
    address = urlsplit(served)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            b"POST /webhooks/github HTTP/1.1\r\nHost: codi\r\nX-GitHub-Event: ping\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {MAX_BODY_BYTES + 1}\r\n\r\n".encode()
            + b'{"zen": '
        )
        answer = b""
        while b"GitHub's cap for webhook payloads" not in answer and (part := connection.recv(65536)):
            answer += part  # the head and the body may come in separate segments

    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"GitHub's cap for webhook payloads" in answer


@pytest.mark.parametrize(
    "delivery_id",
    ["a" * 65, "../../etc", "d 1", "d\n1", "déjà-vu", "d_1", "{d}", "d:1"],
    ids=["too-long", "path", "space", "newline", "non-ascii", "underscore", "braces", "colon"],
)
def test_a_delivery_id_github_would_not_send_is_400(
    client: TestClient, redis_db: redis.Redis, delivery_id: str
) -> None:
    body = json.dumps(example("pull_request", "opened")).encode()
    headers = {"X-GitHub-Event": "pull_request", "X-Hub-Signature-256": sign(body)}
    raw = [(b"x-github-delivery", delivery_id.encode())]  # httpx would refuse a newline in a str header
    response = client.post("/webhooks/github", content=body, headers=list(headers.items()) + raw)

    assert response.status_code == 400
    assert "X-GitHub-Delivery a delivery id" in response.json()["error"]
    assert redis_db.dbsize() == 0


@pytest.mark.parametrize("delivery_id", [str(uuid.uuid4()), "72d3162e-cc78-11e3-81ab-4c9367dc0958", "d-1", "a" * 64])
def test_delivery_ids_like_githubs_are_taken(client: TestClient, redis_db: redis.Redis, delivery_id: str) -> None:
    response = deliver(client, "pull_request", example("pull_request", "opened"), delivery_id=delivery_id)

    assert response.status_code == 202 and response.json()["status"] == "enqueued"


def test_an_event_name_github_would_not_send_is_400(client: TestClient, redis_db: redis.Redis) -> None:
    response = deliver(client, "Pull Request", example("pull_request", "opened"))

    assert response.status_code == 400 and "X-GitHub-Event must be an event name" in response.json()["error"]
    assert _sample(client.get("/metrics").text, "codi_webhook_deliveries_total", event="unknown",
                   outcome="bad_request") == 1  # fmt: skip


def test_a_hostile_header_is_clipped_and_escaped_in_the_log(
    client: TestClient, redis_db: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    forged = "x\r\nERROR codi.app: forged line \x1b[31m"
    hostile = forged + "A" * 10_000
    body = b"{}"
    with caplog.at_level(logging.WARNING, logger="codi.app"):
        response = client.post(
            "/webhooks/github",
            content=body,
            headers=[(b"x-github-event", b"ping"), (b"x-github-delivery", hostile.encode()),
                     (b"x-hub-signature-256", b"sha256=" + b"0" * 64)],
        )

    assert response.status_code == 401
    (message,) = caplog.messages
    assert message == (
        "delivery x\\x0d\\x0aERROR codi.app: forged line \\x1b[31m" + "A" * (100 - len(forged))
        + f"…(+{len(hostile) - 100} chars) rejected: missing or wrong signature"
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        pytest.param({"action": ["opened"]}, "action must be a string", id="action-list"),
        pytest.param({"action": None}, "action is required", id="action-null"),
        pytest.param({"pull_request": "#2"}, "pull_request Input should be a valid dictionary", id="pr-string"),
        pytest.param({"installation": {"id": 10**30}}, "installation.id Input should be less than", id="huge-id"),
        pytest.param({"installation": {"id": -1}}, "installation.id Input should be greater than", id="negative"),
        pytest.param({"installation": {"id": "1"}}, "installation.id Input should be a valid integer", id="id-str"),
        pytest.param({"installation": {"id": 1.5}}, "installation.id Input should be a valid integer", id="float"),
    ],
)
def test_a_payload_of_the_wrong_shape_is_400(
    client: TestClient, redis_db: redis.Redis, change: dict, error: str
) -> None:
    payload = example("pull_request", "opened") | change

    response = deliver(client, "pull_request", payload)

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"invalid pull_request payload: {error}")
    assert redis_db.dbsize() == 0


@pytest.mark.parametrize("body", [b"42", b'"opened"', b"null", b"[]", b"1e400", b"[" * 10_000 + b"]" * 10_000])
def test_json_that_is_no_payload_is_400(client: TestClient, redis_db: redis.Redis, body: bytes) -> None:
    response = deliver(client, "pull_request", body=body)

    assert response.status_code == 400
    assert response.json()["error"] in (
        "invalid pull_request payload: payload must be a JSON object",
        "malformed JSON: recursion limit exceeded at line 1 column 202",
    )


def test_a_number_too_large_for_json_is_400(client: TestClient, redis_db: redis.Redis) -> None:
    body = b'{"action": "opened", "number": 1' + b"0" * 5000 + b"}"

    response = deliver(client, "pull_request", body=body)

    assert response.status_code == 400 and response.json()["error"].startswith("malformed JSON: number out of range")


def test_a_payload_with_many_bad_fields_gets_a_short_answer(client: TestClient, redis_db: redis.Redis) -> None:
    payload = example("installation_repositories", "added")
    payload["repositories_added"] = [{"full_name": n} for n in range(1000)]

    error = deliver(client, "installation_repositories", payload).json()["error"]

    assert error == (
        "invalid installation_repositories payload: repositories_added.0.full_name Input should be a valid string; "
        "repositories_added.1.full_name Input should be a valid string; repositories_added.2.full_name Input should "
        "be a valid string; repositories_added.3.full_name Input should be a valid string; "
        "repositories_added.4.full_name Input should be a valid string; and 995 more"
    )


@pytest.mark.parametrize("event", sorted(_EXAMPLES))
def test_every_github_example_is_taken_or_ignored(client: TestClient, redis_db: redis.Redis, event: str) -> None:
    """GitHub's own payloads pass the strict, bounded models: only an App-less one (no installation) is refused."""
    for payload in _EXAMPLES[event]:
        response = deliver(client, event, payload)
        if response.status_code == 400:
            assert "installation is required" in response.json()["error"] and not payload.get("installation")
        else:
            assert response.status_code == 202, response.json()


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a decoded payload, the root included."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, prefix + (index,))
    return found


def _replaced(node: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node[path[0]] = _replaced(node[path[0]], path[1:], value)
    return node


def _check(client: TestClient, connection: redis.Redis, event: str, body: bytes) -> None:
    """Never a 500: a 400 naming the payload's problem, or a 202 whose job a worker can read back."""
    response = deliver(client, event, body=body)
    answer = response.json()
    assert response.status_code in (202, 400), answer
    if response.status_code == 400:
        assert answer["error"].startswith((f"invalid {event} payload: ", "malformed JSON: "))
        return
    assert answer["status"] in ("ignored", "enqueued", "already_queued"), answer
    if answer["status"] == "enqueued":
        job = queued_jobs(connection)[answer["job_id"]]
        _MODELS[job.function].model_validate(job.args[0])


_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_SETTINGS
@given(data=st.data())
@pytest.mark.parametrize("event", HANDLED)
def test_any_part_of_a_handled_payload_replaced_by_any_json_is_never_a_500(
    client: TestClient, redis_db: redis.Redis, event: str, data: st.DataObject
) -> None:
    payload = example(event)
    path = data.draw(st.sampled_from(_paths(payload)), label="path")
    mutated = _replaced(payload, path, data.draw(_JSON, label="value"))
    _check(client, redis_db, event, json.dumps(mutated).encode())


@_SETTINGS
@given(event=st.sampled_from(HANDLED + ("ping", "push")), body=_JSON | st.binary(max_size=64))
def test_any_json_or_bytes_as_a_body_is_never_a_500(
    client: TestClient, redis_db: redis.Redis, event: str, body: Any
) -> None:
    _check(client, redis_db, event, body if isinstance(body, bytes) else json.dumps(body).encode())


def test_redis_down_is_503_counted_and_logged(
    key_path: Path, closed_port: int, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    settings_ = make_settings(key_path, redis_url=f"redis://127.0.0.1:{closed_port}/0")
    with TestClient(create_app(settings_)) as client, caplog.at_level(logging.ERROR, logger="codi.app"):
        first = deliver(client, "pull_request", example("pull_request", "opened"), delivery_id="down-1")
        text = client.get("/metrics").text

    assert first.status_code == 503 and first.json() == {"error": "queue unavailable, redeliver later"}
    assert _sample(text, "codi_webhook_queue_unavailable_total", event="pull_request") == 1
    assert _sample(text, "codi_webhook_deliveries_total", event="pull_request", outcome="unavailable") == 1
    assert "# HELP codi_webhook_queue_unavailable_total Deliveries answered 503 because Redis did not answer" in text
    assert any(m.startswith("delivery down-1 (pull_request) not enqueued: Redis: ") for m in caplog.messages)
