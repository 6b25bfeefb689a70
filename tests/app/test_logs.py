"""Tokens never reach the logs: the redacting filter on real records (httpx's, with exceptions; uvicorn's own
are in the `codi serve` test, since in this process the local GitHub server's uvicorn gave them a handler of
their own), and installed by the real entry points `codi serve`, `codi worker` and `codi worker --platform`."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from arq.connections import ArqRedis
from fastapi.testclient import TestClient

from codi.app import create_app
from codi.logs import REDACTED, RedactingFilter, install_redaction
from codi.worker.builds import BuildJob, enqueue_builds
from codi.webhooks.serialization import json_jobs
from tests.app.conftest import CodiProcess, codi_environment, deliver, example, make_settings, test_redis_url
from tests.app.test_webhooks import closed_port  # noqa: F401  # fixture
from tests.github_api.fixtures import GitHubAppCredentials, github_api, github_app  # noqa: F401  # fixtures
from tests.github_api.server import FakeGitHub

pytestmark = pytest.mark.anyio

INSTALLATION_TOKEN = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
PERSONAL_TOKENS = ("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "gho_x1y2z3", "ghu_Q9w8E7r6T5",
                   "github_pat_11ABCDEFG0_abcdefghijklmnopqrstuvwxyz")  # fmt: skip
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiI0MjQyNDIifQ.c2lnbmF0dXJlLWJ5dGVz"
ARCHIVE_TOKEN = "AABCDEF3UJGXQ7B3XKQ2DNLBZ4JQ2"
SECRET = "s3cr3t webhook value!"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """What a root handler with codi's filter writes (installed as the entry points install it)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    install_redaction([SECRET])
    try:
        yield stream
    finally:
        root.setLevel(level)
        root.removeHandler(handler)
        for other in root.handlers:
            for found in [f for f in other.filters if isinstance(f, RedactingFilter)]:
                other.removeFilter(found)


def test_httpx_request_lines_lose_the_archive_token(github_api: FakeGitHub, written: io.StringIO) -> None:  # noqa: F811
    """httpx logs every request's URL at INFO: the codeload redirect's `?token=` must not be in it."""
    url = f"{github_api.url}/_codeload/octo/app/legacy.tar.gz/{'a' * 40}?token={ARCHIVE_TOKEN}"
    with httpx.Client() as client:
        assert client.get(url).status_code == 404

    text = written.getvalue()
    assert f'INFO httpx: HTTP Request: GET {github_api.url}/_codeload/octo/app/legacy.tar.gz/{"a" * 40}' \
           f'?token={REDACTED} "HTTP/1.1 404 Not Found"' in text  # fmt: skip
    assert ARCHIVE_TOKEN not in text


def test_tokens_jwts_authorization_and_the_secret_are_redacted_in_message_args_and_exceptions(
    written: io.StringIO,
) -> None:
    log = logging.getLogger("githubkit")
    log.info("installation token %s, then %s", INSTALLATION_TOKEN, " ".join(PERSONAL_TOKENS))
    log.warning("headers: %r", {"Authorization": f"Bearer {JWT}", "accept": "application/vnd.github+json"})
    logging.getLogger("httpcore.http11").warning("Authorization: token %s", INSTALLATION_TOKEN[4:])
    logging.getLogger("codi.worker").info("signed with %s", SECRET)
    try:
        raise RuntimeError(f"GET https://codeload.github.com/o/r/legacy.tar.gz/main?token={ARCHIVE_TOKEN} with {JWT}")
    except RuntimeError:
        logging.getLogger("arq.worker").exception("job %s failed", "review:o/r#1")

    text = written.getvalue()
    for value in (INSTALLATION_TOKEN, *PERSONAL_TOKENS, JWT, ARCHIVE_TOKEN, INSTALLATION_TOKEN[4:], SECRET):
        assert value not in text
    assert text.splitlines()[:5] == [
        f"INFO githubkit: installation token {REDACTED}, then {' '.join([REDACTED] * 4)}",
        f"WARNING githubkit: headers: {{'Authorization': '{REDACTED}', 'accept': 'application/vnd.github+json'}}",
        f"WARNING httpcore.http11: Authorization: {REDACTED}",
        f"INFO codi.worker: signed with {REDACTED}",
        "ERROR arq.worker: job review:o/r#1 failed",
    ]
    assert text.splitlines()[-1] == (
        f"RuntimeError: GET https://codeload.github.com/o/r/legacy.tar.gz/main?token={REDACTED} with {REDACTED}"
    )


def test_a_record_whose_arguments_do_not_fit_is_kept_redacted(written: io.StringIO) -> None:
    logging.getLogger("codi").info("token %s and %s", INSTALLATION_TOKEN)

    assert written.getvalue() == f"INFO codi: token %s and %s ('{REDACTED}',)\n"


def test_codi_serve_redacts_what_a_hostile_delivery_puts_in_its_log_lines(
    github_app: GitHubAppCredentials, tmp_path: Path, redis_db: redis.Redis, closed_port: int  # noqa: F811
) -> None:
    serve = CodiProcess(["serve", "--host", "127.0.0.1", "--port", "0"],
                     codi_environment(github_app, tmp_path, SECRET, f"http://127.0.0.1:{closed_port}"))  # fmt: skip
    try:
        url, listening = serve.listening()
        with httpx.Client(base_url=url) as client:
            for hostile in (INSTALLATION_TOKEN, JWT, SECRET, f"authorization: bearer {ARCHIVE_TOKEN}"):
                assert deliver(client, "ping", {}, delivery_id=hostile, signature="sha256=" + "0" * 64).status_code == 401
        serve.wait_for(lambda line: line.count("rejected") and "authorization" in line)
    finally:
        text = serve.stop()

    assert listening.startswith("INFO:     uvicorn.error: Uvicorn running on"), "uvicorn writes through the root handler"
    rejected = [line for line in text.splitlines() if "rejected: missing or wrong signature" in line]
    assert rejected == [f"WARNING:     codi.app: delivery {REDACTED} rejected: missing or wrong signature"] * 3 + [
        f"WARNING:     codi.app: delivery authorization: {REDACTED} rejected: missing or wrong signature"
    ]
    for value in (INSTALLATION_TOKEN, JWT, SECRET, ARCHIVE_TOKEN):
        assert value not in text


def test_codi_worker_redacts_arq_and_codi_lines_about_a_job(
    github_app: GitHubAppCredentials, tmp_path: Path, redis_db: redis.Redis, closed_port: int  # noqa: F811
) -> None:
    """A pull request whose owner's login looks like a token: arq logs the job id, codi its retries."""
    payload = example("pull_request", "opened")
    payload["repository"]["owner"]["login"] = INSTALLATION_TOKEN
    with TestClient(create_app(make_settings(github_app.private_key_path))) as receiver:
        assert deliver(receiver, "pull_request", payload).json()["status"] == "enqueued"

    worker = CodiProcess(["worker"], codi_environment(github_app, tmp_path, SECRET, f"http://127.0.0.1:{closed_port}"))
    try:
        started = worker.wait_for(lambda line: "review_pull_request(" in line)
    finally:
        text = worker.stop()

    assert f"review:{REDACTED}/Hello-World#2@" in started and " arq.worker: " in started
    assert INSTALLATION_TOKEN not in text


async def test_codi_build_worker_redacts_its_jobs_lines(
    github_app: GitHubAppCredentials, tmp_path: Path, redis_db: redis.Redis  # noqa: F811
) -> None:
    token = PERSONAL_TOKENS[1]
    job = BuildJob(candidate=f"{token}/Dockerfile#original", text="FROM scratch\n", platform="amd64", context="/none")
    connection = json_jobs(ArqRedis.from_url(test_redis_url()))
    try:
        await enqueue_builds(connection, [job])
    finally:
        await connection.aclose()
    environment = codi_environment(github_app, tmp_path, SECRET, "http://127.0.0.1:9") | {"DOCKER_HOST": ""}
    worker = CodiProcess(["worker", "--platform", "amd64"], environment)
    try:
        finished = worker.wait_for(lambda line: "run_build ●" in line)
    finally:
        text = worker.stop()

    assert f"'candidate': '{REDACTED}/Dockerfile#original'" in finished
    assert token not in text


def test_the_filter_leaves_ordinary_lines_alone(written: io.StringIO) -> None:
    logging.getLogger("codi.app").info("delivery %s (%s): enqueued %s", "d-1", "pull_request", "review:o/r#2@ab12")
    logging.getLogger("httpx").info("HTTP Request: %s %s", "GET", "https://api.github.com/repos/o/r/pulls/2?per_page=100")

    assert written.getvalue().splitlines() == [
        "INFO codi.app: delivery d-1 (pull_request): enqueued review:o/r#2@ab12",
        "INFO httpx: HTTP Request: GET https://api.github.com/repos/o/r/pulls/2?per_page=100",
    ]
