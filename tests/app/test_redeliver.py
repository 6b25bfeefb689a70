"""`codi redeliver` against the local GitHub API server: the App's JWT, cursor pages, what is re-requested."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis

from codi.cli.main import main
from codi.cli.redeliver import EXIT_DONE, EXIT_ERROR, EXIT_REFUSED, app_client
from codi.settings import load_settings
from tests.app.conftest import CodiProcess, codi_environment, example, queued_jobs
from tests.app.test_webhooks import PR_JOB_ID, closed_port  # noqa: F401  # fixture
from tests.github_api.fixtures import GitHubAppCredentials, github_api, github_app  # noqa: F401  # fixtures
from tests.github_api.server import FakeGitHub

HOUR = 3600.0
LIST = "apps/list-webhook-deliveries"
REDELIVER = "apps/redeliver-webhook-delivery"


@pytest.fixture
def app_environment(
    monkeypatch: pytest.MonkeyPatch, github_api: FakeGitHub, github_app: GitHubAppCredentials  # noqa: F811
) -> None:
    """The CODI_* variables of the App, pointing at the local server."""
    _without_codi_settings(monkeypatch)
    for name, value in github_app.env(github_api.url).items():
        monkeypatch.setenv(name, value)


def _calls(server: FakeGitHub, operation_id: str) -> list:
    return [request for request in server.requests if request.operation_id == operation_id]


@pytest.mark.usefixtures("app_environment")
def test_failed_events_of_the_window_are_redelivered_once_each(
    github_api: FakeGitHub, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    lost = github_api.add_hook_delivery("pull_request", "opened", 503, age_seconds=2 * HOUR)
    recovered = github_api.add_hook_delivery("pull_request", "synchronize", 503, age_seconds=3 * HOUR)
    github_api.add_hook_delivery("pull_request", "synchronize", 202, age_seconds=HOUR, guid=recovered.guid,
                                 redelivery=True)  # fmt: skip
    unreachable = github_api.add_hook_delivery("issue_comment", "created", 0, age_seconds=HOUR / 2)
    retried = github_api.add_hook_delivery("issue_comment", "created", 502, age_seconds=HOUR / 6,
                                           guid=unreachable.guid, redelivery=True)  # fmt: skip
    github_api.add_hook_delivery("installation", "created", 503, age_seconds=30 * HOUR)  # outside the 24 h
    for age in range(250):  # three pages of 100: the lost one is on the third
        github_api.add_hook_delivery("ping", None, 202, age_seconds=age)

    status = main(["redeliver"])

    assert status == EXIT_DONE
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "255 deliveries in the last 24 h; 2 event(s) not taken by the receiver"
    assert out[1].startswith(f"redelivered {lost.id} pull_request.opened {lost.guid} (answered 503 Invalid HTTP "
                             "Response: 503 at ")  # fmt: skip
    assert out[2].startswith(f"redelivered {retried.id} issue_comment.created {unreachable.guid} (answered 502 ")
    assert [request.path for request in _calls(github_api, REDELIVER)] == [
        f"/app/hook/deliveries/{lost.id}/attempts",
        f"/app/hook/deliveries/{retried.id}/attempts",
    ]
    lists = _calls(github_api, LIST)
    assert [request.query.get("cursor") is not None for request in lists] == [False, True, True]
    assert all(request.headers["authorization"].startswith("Bearer ey") for request in lists)
    redelivered = [delivery for delivery in github_api.hook_deliveries() if delivery.redelivery][-2:]
    assert [(d.guid, d.status_code) for d in redelivered] == [(lost.guid, 202), (unreachable.guid, 202)]
    assert github_api.violations == []

    assert main(["redeliver"]) == EXIT_DONE, "a second run finds them taken"
    assert capsys.readouterr().out == "257 deliveries in the last 24 h; 0 event(s) not taken by the receiver\n"
    assert len(_calls(github_api, REDELIVER)) == 2


@pytest.mark.usefixtures("app_environment")
def test_hours_widens_the_window(github_api: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    old = github_api.add_hook_delivery("installation", "created", 503, age_seconds=30 * HOUR)

    assert main(["redeliver", "--hours", "48"]) == EXIT_DONE

    assert capsys.readouterr().out.splitlines()[1].startswith(f"redelivered {old.id} installation.created")


@pytest.mark.usefixtures("app_environment")
def test_dry_run_lists_and_requests_nothing(github_api: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    lost = github_api.add_hook_delivery("check_run", "rerequested", 503, age_seconds=60)

    assert main(["redeliver", "--dry-run"]) == EXIT_DONE

    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith(f"would redeliver {lost.id} check_run.rerequested {lost.guid} (answered 503 ")
    assert _calls(github_api, REDELIVER) == [] and len(github_api.hook_deliveries()) == 1


@pytest.mark.usefixtures("app_environment")
def test_paging_stops_at_the_first_page_past_the_window(github_api: FakeGitHub) -> None:  # noqa: F811
    for age in range(150):
        github_api.add_hook_delivery("ping", None, 202, age_seconds=30 * HOUR + age)
    for age in range(100):
        github_api.add_hook_delivery("ping", None, 202, age_seconds=age)

    assert main(["redeliver"]) == EXIT_DONE

    assert len(_calls(github_api, LIST)) == 2, "the second page starts before the window: no third"


@pytest.mark.usefixtures("app_environment")
def test_a_refused_redelivery_is_said_and_exits_1(github_api: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    refused = github_api.add_hook_delivery("pull_request", "opened", 503, age_seconds=120)
    taken = github_api.add_hook_delivery("pull_request", "reopened", 503, age_seconds=60)
    github_api.inject("POST", rf"/app/hook/deliveries/{refused.id}/attempts$", 422,
                      {"message": "Validation Failed", "documentation_url": "https://docs.github.com/rest"})  # fmt: skip

    assert main(["redeliver"]) == EXIT_REFUSED

    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[1].startswith(f"not redelivered {refused.id} pull_request.opened")
    assert lines[1].endswith(f" UTC): GitHub answered 422: redeliver {refused.id}: Validation Failed")
    assert lines[2].startswith(f"redelivered {taken.id} pull_request.reopened")
    assert captured.err == "codi: GitHub refused 1 of 2 redeliveries\n"


@pytest.mark.usefixtures("app_environment")
def test_a_jwt_github_refuses_exits_2_having_requested_nothing(
    github_api: FakeGitHub, github_app: GitHubAppCredentials, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    github_api.add_hook_delivery("pull_request", "opened", 503)
    monkeypatch.setenv("CODI_GITHUB_APP_ID", str(github_app.app_id + 1))

    assert main(["redeliver"]) == EXIT_ERROR

    assert capsys.readouterr().err == (
        "codi: GitHub answered 401: list the App's webhook deliveries: 'Issuer' claim ('iss') must be the App id "
        f"{github_app.app_id}, not {github_app.app_id + 1}\n"
    )
    assert _calls(github_api, REDELIVER) == []


@pytest.mark.usefixtures("app_environment")
def test_no_webhook_secret_is_needed(github_api: FakeGitHub, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                     capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """Only the App's identity is read: run where the receiver's secret (and Redis, the database) is not."""
    lost = github_api.add_hook_delivery("pull_request", "opened", 503, age_seconds=60)
    monkeypatch.delenv("CODI_WEBHOOK_SECRET")
    monkeypatch.setenv("CODI_REDIS_URL", "not a redis url")  # the workers would refuse this; redeliver never reads it

    assert main(["redeliver"]) == EXIT_DONE

    captured = capsys.readouterr()
    assert captured.out.splitlines()[1].startswith(f"redelivered {lost.id} pull_request.opened {lost.guid}")
    assert captured.err == ""
    assert github_api.violations == []


def _without_codi_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("CODI_"):
            monkeypatch.delenv(name)


def test_missing_settings_exit_2_naming_them(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _without_codi_settings(monkeypatch)

    assert main(["redeliver"]) == EXIT_ERROR
    assert capsys.readouterr() == ("", (
        "codi: invalid configuration: CODI_GITHUB_APP_ID is required; CODI_GITHUB_PRIVATE_KEY_PATH is required\n"
    ))  # fmt: skip


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CODI_GITHUB_APP_ID", "0", "CODI_GITHUB_APP_ID Input should be greater than 0"),
        ("CODI_GITHUB_APP_ID", "octo", "CODI_GITHUB_APP_ID Input should be a valid integer, unable to parse string "
         "as an integer"),
        ("CODI_GITHUB_PRIVATE_KEY_PATH", "/nonexistent/app.pem", "CODI_GITHUB_PRIVATE_KEY_PATH no such file: "
         "/nonexistent/app.pem"),
        ("CODI_GITHUB_API_URL", "ftp://github.example", "CODI_GITHUB_API_URL must be an http(s) URL"),
    ],
    ids=["app-id-zero", "app-id-not-a-number", "no-key-file", "api-url-not-http"],
)
def test_bad_settings_exit_2_naming_the_variable_and_what_is_wrong(
    github_api: FakeGitHub, github_app: GitHubAppCredentials, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    capsys: pytest.CaptureFixture[str], variable: str, value: str, message: str,
) -> None:
    _without_codi_settings(monkeypatch)
    for name, setting in github_app.env(github_api.url).items():
        if name != "CODI_WEBHOOK_SECRET":
            monkeypatch.setenv(name, setting)
    monkeypatch.setenv(variable, value)

    assert main(["redeliver"]) == EXIT_ERROR

    assert capsys.readouterr() == ("", f"codi: invalid configuration: {message}\n")
    assert github_api.requests == []  # nothing asked of GitHub


@pytest.mark.parametrize("hours", ["0", "-1", "73", "a day"])
def test_hours_outside_githubs_window_is_a_usage_error(hours: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["redeliver", "--hours", hours])

    assert exited.value.code == 2 and "argument --hours" in capsys.readouterr().err


@pytest.mark.usefixtures("app_environment")
def test_the_local_server_filters_by_status_as_documented(github_api: FakeGitHub) -> None:  # noqa: F811
    """`status=failure` is 400-599 only: a delivery GitHub could not make (0) is in neither class, which is
    why `codi redeliver` reads every delivery instead."""
    codes = [202, 302, 404, 503, 0]
    for code in codes:
        github_api.add_hook_delivery("ping", None, code)
    github = app_client(load_settings())

    failure = github.rest.apps.list_webhook_deliveries(status="failure").json()
    success = github.rest.apps.list_webhook_deliveries(status="success").json()

    assert sorted(item["status_code"] for item in failure) == [404, 503]
    assert sorted(item["status_code"] for item in success) == [202, 302]
    assert github_api.violations == []


@pytest.mark.usefixtures("app_environment")
def test_an_event_lost_while_redis_was_down_is_reviewed_after_codi_redeliver(
    github_api: FakeGitHub, github_app: GitHubAppCredentials, tmp_path: Path, redis_db: redis.Redis,  # noqa: F811
    closed_port: int, capsys: pytest.CaptureFixture[str],  # noqa: F811
) -> None:
    """GitHub delivers to `codi serve` while its Redis is down (503, lost), the receiver restarts with Redis
    back, `codi redeliver` asks GitHub, and GitHub's redelivery of the same guid is taken and enqueued."""
    secret = github_app.webhook_secret
    down = CodiProcess(["serve", "--port", "0"], codi_environment(
        github_app, tmp_path, secret, github_api.url, redis_url=f"redis://127.0.0.1:{closed_port}/0"))  # fmt: skip
    try:
        url, _ = down.listening()
        github_api.configure_webhook(f"{url}/webhooks/github", secret)
        lost = github_api.send_webhook("pull_request", example("pull_request", "opened"))
    finally:
        down.stop()
    assert lost.status_code == 503 and queued_jobs(redis_db) == {}

    up = CodiProcess(["serve", "--port", "0"], codi_environment(github_app, tmp_path, secret, github_api.url))
    try:
        url, _ = up.listening()
        github_api.configure_webhook(f"{url}/webhooks/github", secret)
        assert main(["redeliver"]) == EXIT_DONE
    finally:
        up.stop()

    assert capsys.readouterr().out.splitlines()[1].startswith(f"redelivered {lost.id} pull_request.opened {lost.guid}")
    again = github_api.hook_deliveries()[-1]
    assert (again.guid, again.redelivery, again.status_code) == (lost.guid, True, 202)
    jobs = queued_jobs(redis_db)
    assert list(jobs) == [PR_JOB_ID] and jobs[PR_JOB_ID].args[0]["delivery_id"] == lost.guid
    assert github_api.violations == []
