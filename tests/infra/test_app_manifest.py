"""infra/github-app.json (GitHub's App-manifest format) asks for what codi uses, no more and no less.

Events: the receiver's own routing, asked about every event in GitHub's webhook examples. Permissions: every
REST call in codi's source (githubkit's `rest.<scope>.<operation>`), found in GitHub's OpenAPI description by
the method and path githubkit sends, and looked up in the table below. The description's `x-github` metadata
says whether an App may call an operation (`enabledForGitHubApps`) but not with which permission, so the
table is GitHub's "Permissions required for GitHub Apps" page, transcribed for the operations codi calls.
"""

from __future__ import annotations

import inspect
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from githubkit import GitHub

from codi.app.server import WEBHOOK_PATH
from codi.webhooks.routing import RoutingPolicy, route
from tests.github_api.spec import openapi_path
from tests.github_api.webhooks import examples_by_event

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((ROOT / "infra" / "github-app.json").read_text())

APP_JWT = ()
"""Called as the App itself (its JWT): no installation permission applies."""
OPERATION_PERMISSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    # operationId → the permissions any one of which lets an installation token call it
    # (docs.github.com/en/rest/authentication/permissions-required-for-github-apps).
    "apps/get-authenticated": APP_JWT,
    "apps/list-webhook-deliveries": APP_JWT,
    "apps/redeliver-webhook-delivery": APP_JWT,
    "checks/create": (("checks", "write"),),
    "checks/update": (("checks", "write"),),
    "git/get-blob": (("contents", "read"),),
    "git/get-commit": (("contents", "read"),),
    "git/create-blob": (("contents", "write"),),
    "git/create-tree": (("contents", "write"),),
    "git/create-commit": (("contents", "write"),),
    "git/update-ref": (("contents", "write"),),
    "repos/get-content": (("contents", "read"),),
    "repos/download-tarball-archive": (("contents", "read"),),
    "repos/get-collaborator-permission-level": (("metadata", "read"),),
    "pulls/get": (("pull_requests", "read"), ("contents", "read")),
    "pulls/list-files": (("pull_requests", "read"), ("contents", "read")),
    "pulls/create-review": (("pull_requests", "write"),),
    "pulls/list-review-comments": (("pull_requests", "read"),),
    "pulls/delete-review-comment": (("pull_requests", "write"),),
    "issues/list-comments": (("issues", "read"), ("pull_requests", "read")),
    "issues/create-comment": (("issues", "write"), ("pull_requests", "write")),
    "issues/update-comment": (("issues", "write"), ("pull_requests", "write")),
}
EVENT_PERMISSIONS = {"pull_request": "pull_requests", "check_run": "checks", "issue_comment": "issues"}
"""The repository permission an App needs (read at least) to subscribe to each event (GitHub's webhook docs)."""
ALWAYS_DELIVERED = {"installation", "installation_repositories"}
"""Sent to every App without subscribing ("You cannot manually subscribe to this event"): not default_events."""
LEVELS = {"read": 1, "write": 2}
_CALL = re.compile(r"\brest\.(?P<scope>[a-z_]+)\.(?:async_)?(?P<name>[a-z_]+)\b")
_URL = re.compile(r'url = f?"(?P<path>/[^"]*)"')
_METHOD = re.compile(r'\.a?request\(\s*"(?P<method>[A-Z]+)"')


@cache
def openapi() -> dict[str, Any]:
    return json.loads(openapi_path().read_text())


def rest_calls() -> set[tuple[str, str]]:
    """(scope, operation) of every githubkit REST call in codi's source."""
    calls = set()
    for path in (ROOT / "codi").rglob("*.py"):
        calls |= {(m["scope"], m["name"]) for m in _CALL.finditer(path.read_text()) if m["scope"] != "paginate"}
    return calls


def operation_of(scope: str, name: str) -> tuple[str, str, dict[str, Any]]:
    """The OpenAPI operation githubkit's `rest.<scope>.<name>` sends (by its method and path template): its
    operationId, path template and description."""
    github = GitHub("unused")  # held: githubkit's namespaces refer to their client weakly
    source = inspect.getsource(getattr(getattr(github.rest, scope), name))
    template, method = _URL.search(source)["path"], _METHOD.search(source)["method"]
    operation = openapi()["paths"][template][method.lower()]
    return operation["operationId"], template, operation


def granted(permission: str, level: str) -> bool:
    held = MANIFEST["default_permissions"].get(permission)
    return held is not None and LEVELS[held] >= LEVELS[level]


def handled_events() -> set[str]:
    """Events the receiver routes on some action: any other one it ignores as 'event … is not handled'."""
    policy = RoutingPolicy(github_app_id=1)
    outcomes = {event: route(event, {"action": "-"}, "d-1", policy) for event in examples_by_event()}
    return {event for event, outcome in outcomes.items() if not outcome.reason.startswith("event ")}


def test_the_manifest_has_githubs_fields_and_points_at_the_receiver() -> None:
    assert set(MANIFEST) <= {"name", "url", "description", "hook_attributes", "redirect_url", "callback_urls",
                             "setup_url", "public", "default_permissions", "default_events",
                             "request_oauth_on_install", "setup_on_update"}
    assert MANIFEST["url"].startswith("https://") and len(MANIFEST["name"]) <= 34
    assert MANIFEST["hook_attributes"]["active"] is True
    assert MANIFEST["hook_attributes"]["url"].endswith(WEBHOOK_PATH)
    assert MANIFEST["public"] is False
    assert MANIFEST["redirect_url"].startswith("https://") and 1 <= len(MANIFEST["callback_urls"]) <= 10
    assert set(MANIFEST["default_permissions"].values()) <= set(LEVELS)


def test_the_events_are_the_ones_the_receiver_handles() -> None:
    handled = handled_events()

    assert handled == {"pull_request", "check_run", "issue_comment", "installation", "installation_repositories"}
    assert set(MANIFEST["default_events"]) | ALWAYS_DELIVERED == handled
    assert not ALWAYS_DELIVERED & set(MANIFEST["default_events"])
    for event in MANIFEST["default_events"]:
        assert granted(EVENT_PERMISSIONS[event], "read"), event


def test_every_rest_call_is_allowed_by_the_manifest() -> None:
    calls = rest_calls()
    assert ("checks", "create") in calls and ("git", "update_ref") in calls  # the scan finds codi's calls

    for scope, name in sorted(calls):
        operation_id, template, operation = operation_of(scope, name)
        assert operation_id in OPERATION_PERMISSIONS, f"{operation_id} (rest.{scope}.{name}): add its permission"
        alternatives = OPERATION_PERMISSIONS[operation_id]
        if alternatives == APP_JWT:  # the App's own endpoints, called with its JWT
            assert template == "/app" or template.startswith("/app/"), operation_id
        else:  # enabledForGitHubApps: callable with an installation token
            assert operation["x-github"]["enabledForGitHubApps"] is True, operation_id
            assert any(granted(*option) for option in alternatives), operation_id


def test_every_permission_asked_for_is_used_at_that_level() -> None:
    used = [OPERATION_PERMISSIONS[operation_of(scope, name)[0]] for scope, name in rest_calls()]
    needed: dict[str, int] = {}
    for alternatives in used:
        for permission, level in alternatives:
            needed[permission] = max(needed.get(permission, 0), LEVELS[level])
    for event in MANIFEST["default_events"]:
        needed[EVENT_PERMISSIONS[event]] = max(needed.get(EVENT_PERMISSIONS[event], 0), LEVELS["read"])

    asked = {permission: LEVELS[level] for permission, level in MANIFEST["default_permissions"].items()}
    assert asked == needed
    assert asked == {"checks": 2, "contents": 2, "pull_requests": 2, "issues": 2, "metadata": 1}
