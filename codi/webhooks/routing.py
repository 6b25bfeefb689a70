"""Which deliveries become which jobs: a pure function of event name, payload and settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from codi.comments.commands import parse_command
from codi.logs import clip
from codi.webhooks.jobs import CommentCommandJob, InstallationJob, Job, RepoRef, ReviewJob
from codi.webhooks.payloads import (
    CheckRunEvent,
    InstallationEvent,
    InstallationRepositoriesEvent,
    IssueCommentEvent,
    PayloadError,
    PullRequest,
    PullRequestEvent,
    Repository,
    read_payload,
)


ACTION_CHARS = 64
"""How much of an unhandled action the reason quotes (GitHub's are short words)."""


@dataclass(frozen=True)
class RoutingPolicy:
    """The settings routing depends on (a subset of `Settings`)."""

    github_app_id: int
    review_drafts: bool = False


@dataclass(frozen=True)
class Ignored:
    """A delivery codi does not act on, and why (logged, answered 202)."""

    reason: str


def _repo(installation_id: int, repository: Repository) -> RepoRef:
    return RepoRef(installation_id=installation_id, owner=repository.owner.login, name=repository.name)


def _pull_request(body: object, delivery_id: str, policy: RoutingPolicy) -> Job | Ignored:
    event = read_payload(PullRequestEvent, body)
    pull = event.pull_request
    if pull.draft and event.action != "ready_for_review" and not policy.review_drafts:
        return Ignored("draft pull request (set CODI_REVIEW_DRAFTS=true to review drafts)")
    return review_job(_repo(event.installation.id, event.repository), pull, event.action, delivery_id)


def review_job(repo: RepoRef, pull: PullRequest, reason: str, delivery_id: str) -> ReviewJob:
    """The review of a pull request as the worker takes it (from a delivery, or from a workflow's event)."""
    return ReviewJob(
        repo=repo,
        pull_number=pull.number,
        head_sha=pull.head.sha,
        head_ref=pull.head.ref,
        base_ref=pull.base.ref,
        base_sha=pull.base.sha,
        head_repo_full_name=pull.head.repo.full_name if pull.head.repo else None,
        maintainer_can_modify=pull.maintainer_can_modify,
        reason=reason,  # type: ignore[arg-type]  # opened, synchronize, reopened, ready_for_review or rerun
        delivery_id=delivery_id,
    )


def _check_run(body: object, delivery_id: str, policy: RoutingPolicy) -> Job | Ignored:
    event = read_payload(CheckRunEvent, body)
    if event.check_run.app.id != policy.github_app_id:
        return Ignored(f"check run of another app ({event.check_run.app.id})")
    if not event.check_run.pull_requests:
        return Ignored("check run is not attached to a pull request of this repository")
    pull = event.check_run.pull_requests[0]
    return ReviewJob(
        repo=_repo(event.installation.id, event.repository),
        pull_number=pull.number,
        head_sha=pull.head.sha,
        head_ref=pull.head.ref,
        base_ref=pull.base.ref,
        base_sha=pull.base.sha,
        head_repo_full_name=pull.head.repo.full_name,
        reason=event.action,  # type: ignore[arg-type]  # rerequested or requested_action
        delivery_id=delivery_id,
    )


def _issue_comment(body: object, delivery_id: str, policy: RoutingPolicy) -> Job | Ignored:
    event = read_payload(IssueCommentEvent, body)
    if event.sender.type == "Bot":
        return Ignored(f"comment by a bot ({event.sender.login})")
    if event.issue.pull_request is None:
        return Ignored("comment on an issue, not a pull request")
    command = parse_command(event.comment.body)
    if command is None:
        return Ignored("comment is not a /codi command")
    return CommentCommandJob(
        repo=_repo(event.installation.id, event.repository),
        pull_number=event.issue.number,
        comment_id=event.comment.id,
        author=event.comment.user.login,
        command=command.name.value,
        argument=command.argument,
        delivery_id=delivery_id,
    )


def _installation(body: object, delivery_id: str, policy: RoutingPolicy) -> Job | Ignored:
    event = read_payload(InstallationEvent, body)
    names = [repository.full_name for repository in event.repositories]
    return InstallationJob(
        installation_id=event.installation.id,
        action=event.action,
        account=event.installation.account_name,
        repositories_added=names if event.action == "created" else [],
        repositories_removed=names if event.action == "deleted" else [],
        delivery_id=delivery_id,
    )


def _installation_repositories(body: object, delivery_id: str, policy: RoutingPolicy) -> Job | Ignored:
    event = read_payload(InstallationRepositoriesEvent, body)
    return InstallationJob(
        installation_id=event.installation.id,
        action=event.action,
        account=event.installation.account_name,
        repositories_added=[repository.full_name for repository in event.repositories_added],
        repositories_removed=[repository.full_name for repository in event.repositories_removed],
        delivery_id=delivery_id,
    )


_Handler = Callable[[object, str, RoutingPolicy], "Job | Ignored"]
_HANDLED: dict[str, tuple[frozenset[str], _Handler]] = {
    "pull_request": (frozenset({"opened", "synchronize", "reopened", "ready_for_review"}), _pull_request),
    "check_run": (frozenset({"rerequested", "requested_action"}), _check_run),
    "issue_comment": (frozenset({"created"}), _issue_comment),
    "installation": (
        frozenset({"created", "deleted", "suspend", "unsuspend", "new_permissions_accepted"}),
        _installation,
    ),
    "installation_repositories": (frozenset({"added", "removed"}), _installation_repositories),
}


def route(event: str, body: object, delivery_id: str, policy: RoutingPolicy) -> Job | Ignored:
    """The job a delivery becomes, or why it is ignored; `PayloadError` when its body is malformed."""
    if not isinstance(body, dict):
        raise PayloadError("payload must be a JSON object")
    handled = _HANDLED.get(event)
    if handled is None:
        return Ignored(f"event {event!r} is not handled")
    actions, handler = handled
    action = body.get("action")
    if not isinstance(action, str):
        raise PayloadError("action is required" if action is None else "action must be a string")
    if action not in actions:
        return Ignored(f"{event}.{clip(action, ACTION_CHARS)} is not handled")
    return handler(body, delivery_id, policy)
