"""Webhook deliveries built from GitHub's own examples, adapted only where a test's seeded state differs."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
from functools import cache
from typing import Any

from tests.github_api.spec import webhook_examples_path
from tests.github_api.state import PullRequestState, Repo

SUPPORTED = {
    "pull_request": ("opened", "synchronize", "reopened", "ready_for_review"),
    "issue_comment": ("created",),
    "check_run": ("rerequested", "requested_action"),
    "installation": ("created", "deleted"),
    "installation_repositories": ("added",),
}
"""Events and actions codi handles; each has at least one example in the file."""

OVERRIDES = ("installation_id", "comment_body", "comment_author", "comment_id", "check_run_id", "identifier",
             "account", "repositories", "sender", "before")


@cache
def examples_by_event() -> dict[str, list[dict[str, Any]]]:
    """GitHub's example payloads of each event, as the npm package lists them."""
    return {event["name"]: event["examples"] for event in json.loads(webhook_examples_path().read_text())}


def example(event: str, action: str) -> dict[str, Any]:
    """A copy of GitHub's example for event/action, preferring one delivered to an App (with `installation`)."""
    if action not in SUPPORTED.get(event, ()):
        raise ValueError(f"no webhook example for {event}.{action}; supported: {SUPPORTED}")
    candidates = [e for e in examples_by_event()[event] if e.get("action") == action]
    with_installation = [e for e in candidates if "installation" in e]
    return copy.deepcopy((with_installation or candidates)[0])


def _rename_user(user: dict[str, Any], login: str) -> None:
    old = user["login"]
    for key, value in list(user.items()):
        if isinstance(value, str) and f"/{old}" in value:
            user[key] = value.replace(f"/{old}", f"/{login}")
    user["login"] = login


def _rename_repo(node: dict[str, Any], owner: str, name: str, repo_id: int | None = None) -> None:
    old = node["full_name"]
    for key, value in list(node.items()):
        if isinstance(value, str) and old in value:
            node[key] = value.replace(old, f"{owner}/{name}")
    node.update(name=name, full_name=f"{owner}/{name}")
    if repo_id is not None:
        node["id"] = repo_id
    if isinstance(node.get("owner"), dict):
        _rename_user(node["owner"], owner)


def _set_repository(payload: dict[str, Any], repo: Repo) -> None:
    _rename_repo(payload["repository"], repo.owner, repo.name, repo.id)
    payload["repository"]["default_branch"] = repo.default_branch


def _adapt_pull(node: dict[str, Any], pull: PullRequestState) -> None:
    old_full, old_number = node["base"]["repo"]["full_name"], node["number"]
    for key, value in list(node.items()):
        if isinstance(value, str) and key.endswith("url"):
            value = value.replace(old_full, pull.base_repo.full_name)
            node[key] = re.sub(rf"/(pulls?|issues)/{old_number}\b", rf"/\g<1>/{pull.number}", value)
    node.update(number=pull.number, id=pull.id, draft=pull.draft, maintainer_can_modify=pull.maintainer_can_modify,
                title=pull.title, state="open")
    _rename_user(node["user"], pull.author)
    for side, repo, ref, sha in (("head", pull.head_repo, pull.head_ref, pull.head_sha),
                                 ("base", pull.base_repo, pull.base_ref, pull.base_sha)):
        part = node[side]
        part.update(ref=ref, sha=sha, label=f"{repo.owner}:{ref}")
        _rename_repo(part["repo"], repo.owner, repo.name, repo.id)
        part["repo"]["fork"] = side == "head" and pull.is_fork
        _rename_user(part["user"], repo.owner)


def webhook_payload(event: str, action: str, pull_state: PullRequestState | None = None,
                    **overrides: Any) -> dict[str, Any]:
    """GitHub's example delivery for event/action with the seeded pull request's values put in.

    Overrides (all optional): installation_id, comment_body, comment_author, comment_id, check_run_id,
    identifier (requested_action), account, repositories (list of "owner/name"), sender, before
    (synchronize's previous head SHA).
    """
    unknown = sorted(set(overrides) - set(OVERRIDES))
    if unknown:
        raise TypeError(f"unknown overrides {unknown}; supported: {', '.join(OVERRIDES)}")
    payload = example(event, action)
    installation_id = overrides.get("installation_id", pull_state.installation_id if pull_state else None)
    if installation_id is not None:
        payload.setdefault("installation", {"node_id": f"MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u{installation_id}"})
        payload["installation"]["id"] = installation_id
    if pull_state is not None:
        _set_repository(payload, pull_state.base_repo)
    if event == "pull_request":
        if pull_state is None:
            raise ValueError("a pull_request payload needs pull_state")
        payload["number"] = pull_state.number
        _adapt_pull(payload["pull_request"], pull_state)
        if action == "synchronize":
            payload["after"] = pull_state.head_sha
            payload["before"] = overrides.get("before", payload["before"])
    elif event == "issue_comment":
        _adapt_issue_comment(payload, pull_state, overrides)
    elif event == "check_run":
        _adapt_check_run(payload, pull_state, overrides)
    elif event in ("installation", "installation_repositories"):
        _adapt_installation(payload, event, overrides)
    if "sender" in overrides or "comment_author" in overrides:
        _rename_user(payload["sender"], overrides.get("sender", overrides.get("comment_author")))
    return payload


def _adapt_issue_comment(payload: dict[str, Any], pull: PullRequestState | None, overrides: dict[str, Any]) -> None:
    issue, comment = payload["issue"], payload["comment"]
    if pull is not None:
        base = f"https://api.github.com/repos/{pull.base_repo.full_name}"
        issue.update(number=pull.number, title=pull.title, state="open", draft=pull.draft)
        issue["url"] = f"{base}/issues/{pull.number}"
        issue["html_url"] = f"https://github.com/{pull.base_repo.full_name}/pull/{pull.number}"
        # A comment on a pull request is an issue comment whose issue carries `pull_request` links.
        issue["pull_request"] = {
            "url": f"{base}/pulls/{pull.number}",
            "html_url": issue["html_url"],
            "diff_url": issue["html_url"] + ".diff",
            "patch_url": issue["html_url"] + ".patch",
            "merged_at": None,
        }
        comment["issue_url"] = issue["url"]
    if "comment_body" in overrides:
        comment["body"] = overrides["comment_body"]
    if "comment_id" in overrides:
        comment["id"] = overrides["comment_id"]
    if "comment_author" in overrides:
        _rename_user(comment["user"], overrides["comment_author"])


def _adapt_check_run(payload: dict[str, Any], pull: PullRequestState | None, overrides: dict[str, Any]) -> None:
    run = payload["check_run"]
    if "check_run_id" in overrides:
        run["id"] = overrides["check_run_id"]
    if "identifier" in overrides:
        payload["requested_action"] = {"identifier": overrides["identifier"]}
    if pull is None:
        return
    run["head_sha"] = pull.head_sha
    run["check_suite"].update(head_sha=pull.head_sha, head_branch=pull.head_ref)
    minimal = {
        "id": pull.id,
        "number": pull.number,
        "url": f"https://api.github.com/repos/{pull.base_repo.full_name}/pulls/{pull.number}",
        "head": {"ref": pull.head_ref, "sha": pull.head_sha,
                 "repo": {"id": pull.head_repo.id, "name": pull.head_repo.name,
                          "url": f"https://api.github.com/repos/{pull.head_repo.full_name}"}},
        "base": {"ref": pull.base_ref, "sha": pull.base_sha,
                 "repo": {"id": pull.base_repo.id, "name": pull.base_repo.name,
                          "url": f"https://api.github.com/repos/{pull.base_repo.full_name}"}},
    }
    run["pull_requests"] = [minimal]
    run["check_suite"]["pull_requests"] = [minimal]


def _adapt_installation(payload: dict[str, Any], event: str, overrides: dict[str, Any]) -> None:
    if "account" in overrides:
        _rename_user(payload["installation"]["account"], overrides["account"])
    if "repositories" in overrides:
        template = (payload.get("repositories") or payload.get("repositories_added"))[0]
        listed = []
        for index, full_name in enumerate(overrides["repositories"]):
            owner, name = full_name.split("/")
            entry = dict(template, id=template["id"] + index, name=name, full_name=full_name)
            listed.append(entry)
        payload["repositories" if event == "installation" else "repositories_added"] = listed


def sign(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
