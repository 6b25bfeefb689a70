"""POST /webhooks/github against real Redis: what each delivery, good or bad, leaves in the queue."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from codi.app import create_app
from codi.app.queue import DELIVERY_KEY_PREFIX, DELIVERY_TTL_SECONDS
from codi.settings import Settings
from codi.webhooks.jobs import CommentCommandJob, InstallationJob, ReviewJob
from tests.app.conftest import (
    APP_ID,
    deliver,
    example,
    make_settings,
    queued_jobs,
    redis_user_without,
    sign,
    test_redis_url,
)

PR_HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
PR_JOB_ID = f"review:Codertocat/Hello-World#2@{PR_HEAD}"


def test_pull_request_opened_becomes_one_review_job(client: TestClient, redis_db: redis.Redis) -> None:
    response = deliver(client, "pull_request", example("pull_request", "opened"), delivery_id="d-1")

    assert response.status_code == 202
    assert response.json() == {"status": "enqueued", "job_id": PR_JOB_ID, "function": "review_pull_request"}
    jobs = queued_jobs(redis_db)
    assert list(jobs) == [PR_JOB_ID]
    job = jobs[PR_JOB_ID]
    assert job.function == "review_pull_request" and job.kwargs == {}
    (payload,) = job.args
    review = ReviewJob.model_validate(payload)
    assert review.model_dump() == {
        "repo": {"installation_id": 1, "owner": "Codertocat", "name": "Hello-World"},
        "pull_number": 2,
        "head_sha": PR_HEAD,
        "head_ref": "changes",
        "base_ref": "master",
        "base_sha": "f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
        "head_repo_full_name": "Codertocat/Hello-World",
        "maintainer_can_modify": False,
        "reason": "opened",
        "delivery_id": "d-1",
    }
    assert 0 < redis_db.ttl(DELIVERY_KEY_PREFIX + "d-1") <= DELIVERY_TTL_SECONDS


def test_redelivery_is_a_duplicate_and_enqueues_nothing(client: TestClient, redis_db: redis.Redis) -> None:
    payload = example("pull_request", "opened")
    assert deliver(client, "pull_request", payload, delivery_id="d-1").status_code == 202

    again = deliver(client, "pull_request", payload, delivery_id="d-1")

    assert again.status_code == 202 and again.json() == {"status": "duplicate"}
    assert list(queued_jobs(redis_db)) == [PR_JOB_ID]


def test_same_head_sha_under_a_new_delivery_id_is_queued_once(client: TestClient, redis_db: redis.Redis) -> None:
    assert deliver(client, "pull_request", example("pull_request", "opened")).json()["status"] == "enqueued"

    second = deliver(client, "pull_request", example("pull_request", "synchronize"))

    assert second.status_code == 202
    assert second.json() == {"status": "already_queued", "job_id": PR_JOB_ID, "function": "review_pull_request"}
    assert list(queued_jobs(redis_db)) == [PR_JOB_ID]


def test_a_new_head_sha_is_a_new_job(client: TestClient, redis_db: redis.Redis) -> None:
    pushed = example("pull_request", "synchronize")
    pushed["pull_request"]["head"]["sha"] = "1" * 40
    deliver(client, "pull_request", example("pull_request", "opened"))
    deliver(client, "pull_request", pushed)

    assert sorted(queued_jobs(redis_db)) == sorted([PR_JOB_ID, f"review:Codertocat/Hello-World#2@{'1' * 40}"])


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("", id="missing"),
        pytest.param(sign(b"another body"), id="wrong-body"),
        pytest.param("sha256=" + "0" * 64, id="zeros"),
        pytest.param("sha1=0123", id="sha1-in-the-sha256-header"),
        pytest.param("garbage", id="garbage"),
    ],
)
def test_bad_signature_is_401_and_touches_nothing(client: TestClient, redis_db: redis.Redis, signature: str) -> None:
    response = deliver(client, "pull_request", example("pull_request", "opened"), signature=signature)

    assert response.status_code == 401
    assert "X-Hub-Signature-256" in response.json()["error"]
    assert redis_db.dbsize() == 0


def test_signed_with_another_secret_is_401(client: TestClient, redis_db: redis.Redis) -> None:
    body = b'{"action": "opened"}'
    response = deliver(client, "pull_request", body=body, signature=sign(body, "another secret"))

    assert response.status_code == 401 and redis_db.dbsize() == 0


@pytest.mark.parametrize("body", [b"{not json", b"", b'{"action": "opened"'], ids=["garbage", "empty", "truncated"])
def test_malformed_json_is_400(client: TestClient, redis_db: redis.Redis, body: bytes) -> None:
    response = deliver(client, "pull_request", body=body)

    assert response.status_code == 400
    assert response.json()["error"].startswith("malformed JSON")
    assert redis_db.dbsize() == 0


def test_json_that_is_not_an_object_is_400(client: TestClient, redis_db: redis.Redis) -> None:
    response = deliver(client, "pull_request", body=b"[1, 2]")

    assert response.status_code == 400
    assert response.json() == {"error": "invalid pull_request payload: payload must be a JSON object"}


def test_missing_field_is_400_naming_it(client: TestClient, redis_db: redis.Redis) -> None:
    payload = example("pull_request", "opened")
    del payload["pull_request"]["head"]["sha"]

    response = deliver(client, "pull_request", payload)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid pull_request payload: pull_request.head.sha is required"}
    assert redis_db.dbsize() == 0


def test_delivery_without_installation_is_400(client: TestClient, redis_db: redis.Redis) -> None:
    payload = example("pull_request", "opened")
    del payload["installation"]

    response = deliver(client, "pull_request", payload)

    assert response.status_code == 400 and "installation is required" in response.json()["error"]


def test_missing_delivery_header_is_400(client: TestClient, redis_db: redis.Redis) -> None:
    body = b'{"zen": "Keep it logically awesome."}'
    response = client.post("/webhooks/github", content=body, headers={"X-Hub-Signature-256": sign(body)})

    assert response.status_code == 400
    assert response.json() == {"error": "missing X-GitHub-Event or X-GitHub-Delivery header"}


def test_unknown_event_is_ignored_with_a_log_line(
    client: TestClient, redis_db: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="codi.app"):
        response = deliver(client, "ping", example("ping"), delivery_id="d-ping")

    assert response.status_code == 202
    assert response.json() == {"status": "ignored", "reason": "event 'ping' is not handled"}
    assert "delivery d-ping (ping) ignored: event 'ping' is not handled" in caplog.messages
    assert redis_db.dbsize() == 0


def test_unhandled_action_is_ignored(client: TestClient, redis_db: redis.Redis) -> None:
    response = deliver(client, "pull_request", example("pull_request", "closed"))

    assert response.json() == {"status": "ignored", "reason": "pull_request.closed is not handled"}
    assert redis_db.dbsize() == 0


def _draft(action: str) -> dict:
    payload = example("pull_request", action)
    payload["pull_request"]["draft"] = True
    return payload


def test_draft_pull_request_is_skipped(client: TestClient, redis_db: redis.Redis) -> None:
    response = deliver(client, "pull_request", _draft("opened"))

    assert response.status_code == 202 and response.json()["status"] == "ignored"
    assert "draft pull request" in response.json()["reason"]
    assert redis_db.dbsize() == 0


def test_ready_for_review_is_reviewed_even_if_the_payload_says_draft(
    client: TestClient, redis_db: redis.Redis
) -> None:
    response = deliver(client, "pull_request", _draft("ready_for_review"))

    assert response.json()["status"] == "enqueued"
    (job,) = queued_jobs(redis_db).values()
    assert job.args[0]["reason"] == "ready_for_review"


def test_drafts_are_reviewed_when_configured(key_path, redis_db: redis.Redis) -> None:
    with TestClient(create_app(make_settings(key_path, review_drafts=True))) as client:
        response = deliver(client, "pull_request", _draft("opened"))

    assert response.json()["status"] == "enqueued"
    assert list(queued_jobs(redis_db)) == [PR_JOB_ID]


def _issue_comment(body: str, sender_type: str = "User") -> dict:
    """GitHub's issue_comment.created example (a comment on a plain issue) with this body and sender."""
    payload = example("issue_comment", "created")
    payload["comment"]["body"] = body
    payload["sender"]["type"] = sender_type
    return payload


def _pr_comment(body: str, sender_type: str = "User") -> dict:
    payload = _issue_comment(body, sender_type)
    payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"}
    return payload


def test_codi_command_on_a_pull_request_becomes_a_command_job(client: TestClient, redis_db: redis.Redis) -> None:
    payload = _pr_comment("/codi apply\nplease")

    response = deliver(client, "issue_comment", payload, delivery_id="d-c")

    job_id = f"command:Codertocat/Hello-World#1:{payload['comment']['id']}"
    assert response.json() == {"status": "enqueued", "job_id": job_id, "function": "handle_comment_command"}
    job = queued_jobs(redis_db)[job_id]
    assert CommentCommandJob.model_validate(job.args[0]) == CommentCommandJob(
        repo={"installation_id": 1, "owner": "Codertocat", "name": "Hello-World"},
        pull_number=1,
        comment_id=payload["comment"]["id"],
        author="Codertocat",
        command="apply",
        delivery_id="d-c",
    )


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        pytest.param(_pr_comment("/codi rerun", sender_type="Bot"), "comment by a bot (Codertocat)", id="bot"),
        pytest.param(_pr_comment("looks good, /codi rerun later"), "comment is not a /codi command", id="no-command"),
        pytest.param(_issue_comment("/codi help"), "comment on an issue, not a pull request", id="issue"),
    ],
)
def test_comments_that_are_not_commands_for_codi_are_ignored(
    client: TestClient, redis_db: redis.Redis, payload: dict, reason: str
) -> None:
    response = deliver(client, "issue_comment", payload)

    assert response.json() == {"status": "ignored", "reason": reason}
    assert redis_db.dbsize() == 0


def _codi_check_run(action: str) -> dict:
    """GitHub's requested_action example is a check run of app 25811 on PR electron/electron#26764."""
    payload = example("check_run", "requested_action")
    payload["action"] = action
    return payload


def test_check_run_rerequested_runs_again_for_the_same_head_sha(client: TestClient, redis_db: redis.Redis) -> None:
    first = deliver(client, "check_run", _codi_check_run("rerequested"), delivery_id="r-1")
    second = deliver(client, "check_run", _codi_check_run("rerequested"), delivery_id="r-2")

    base = "review:electron/electron#26764@5bd5f196a46b8222fb7484f05faba41a73cf34bd"
    assert first.json()["job_id"] == f"{base}:r-1" and second.json()["job_id"] == f"{base}:r-2"
    jobs = queued_jobs(redis_db)
    assert sorted(jobs) == [f"{base}:r-1", f"{base}:r-2"]
    review = ReviewJob.model_validate(jobs[f"{base}:r-1"].args[0])
    assert (review.reason, review.head_ref, review.base_ref, review.head_repo_full_name) == (
        "rerequested",
        "miniak/event-process-id",
        "master",
        "electron/electron",
    )
    assert review.repo.installation_id == 690857


def test_check_run_requested_action_becomes_a_review_job(client: TestClient, redis_db: redis.Redis) -> None:
    response = deliver(client, "check_run", _codi_check_run("requested_action"), delivery_id="a-1")

    assert response.json()["status"] == "enqueued"
    (job,) = queued_jobs(redis_db).values()
    assert job.args[0]["reason"] == "requested_action"


def test_check_runs_of_other_apps_or_without_pull_request_are_ignored(
    client: TestClient, redis_db: redis.Redis
) -> None:
    other_app = _codi_check_run("rerequested")
    other_app["check_run"]["app"]["id"] = APP_ID + 1
    no_pull = _codi_check_run("rerequested")
    no_pull["check_run"]["pull_requests"] = []

    assert deliver(client, "check_run", other_app).json() == {
        "status": "ignored",
        "reason": f"check run of another app ({APP_ID + 1})",
    }
    assert deliver(client, "check_run", no_pull).json()["reason"] == (
        "check run is not attached to a pull request of this repository"
    )
    assert redis_db.dbsize() == 0


def test_installation_created_records_its_repositories(client: TestClient, redis_db: redis.Redis) -> None:
    response = deliver(client, "installation", example("installation", "created"), delivery_id="i-1")

    assert response.json() == {
        "status": "enqueued",
        "job_id": "installation:957387:i-1",
        "function": "record_installation",
    }
    job = InstallationJob.model_validate(queued_jobs(redis_db)["installation:957387:i-1"].args[0])
    assert (job.action, job.account, job.repositories_removed) == ("created", "Codertocat", [])
    assert job.repositories_added == ["Codertocat/Hello-World"]


@pytest.mark.parametrize("action", ["deleted", "suspend", "unsuspend", "new_permissions_accepted"])
def test_other_installation_actions_are_recorded(client: TestClient, redis_db: redis.Redis, action: str) -> None:
    response = deliver(client, "installation", example("installation", action))

    assert response.json()["status"] == "enqueued"
    (job,) = queued_jobs(redis_db).values()
    assert job.function == "record_installation" and job.args[0]["action"] == action


def test_installation_repositories_added_and_removed(client: TestClient, redis_db: redis.Redis) -> None:
    payload = example("installation_repositories", "added")

    assert deliver(client, "installation_repositories", payload).json()["status"] == "enqueued"
    (job,) = queued_jobs(redis_db).values()
    recorded = InstallationJob.model_validate(job.args[0])
    assert recorded.action == "added"
    assert recorded.repositories_added == [r["full_name"] for r in payload["repositories_added"]]
    assert recorded.repositories_removed == [r["full_name"] for r in payload["repositories_removed"]]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound on loopback but not listening: connecting to it is refused at once."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def test_redis_down_is_503_never_500(key_path, closed_port: int) -> None:
    settings = make_settings(key_path, redis_url=f"redis://127.0.0.1:{closed_port}/0")
    with TestClient(create_app(settings)) as client:
        response = deliver(client, "pull_request", example("pull_request", "opened"))

    assert response.status_code == 503
    assert response.json() == {"error": "queue unavailable, redeliver later"}


@pytest.fixture
def redis_user_without_zadd(redis_db: redis.Redis) -> Iterator[str]:
    """A Redis user that may SET and DEL but not ZADD: arq's enqueue fails after the delivery was claimed."""
    with redis_user_without(redis_db, "zadd") as url:
        yield url


def test_enqueue_failure_releases_the_delivery_so_redelivery_works(
    key_path, redis_db: redis.Redis, redis_user_without_zadd: str
) -> None:
    payload = example("pull_request", "opened")
    with TestClient(create_app(make_settings(key_path, redis_url=redis_user_without_zadd))) as client:
        failed = deliver(client, "pull_request", payload, delivery_id="d-lost")

    assert failed.status_code == 503
    assert redis_db.exists(DELIVERY_KEY_PREFIX + "d-lost") == 0
    assert redis_db.dbsize() == 0, "no job data left behind either"

    with TestClient(create_app(make_settings(key_path))) as client:
        redelivered = deliver(client, "pull_request", payload, delivery_id="d-lost")

    assert redelivered.json()["status"] == "enqueued"
    assert list(queued_jobs(redis_db)) == [PR_JOB_ID]


def test_settings_fixture_points_at_the_test_db(settings: Settings) -> None:
    assert settings.redis_url == test_redis_url()
