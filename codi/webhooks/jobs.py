"""The jobs the receiver enqueues and the workers run: plain data across the queue.

Each job is one arq function name plus one of these models, passed as a
single JSON-able dict: the receiver calls
`enqueue_job(job.function, job.model_dump(mode="json"), _job_id=job.job_id)`,
so the worker's function is `async def <function>(ctx, payload: dict)` and
reads it back with `<Model>.model_validate(payload)`; a worker of another
version can still read what is queued.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel

REVIEW_PULL_REQUEST = "review_pull_request"
HANDLE_COMMENT_COMMAND = "handle_comment_command"
RECORD_INSTALLATION = "record_installation"

ReviewReason = Literal[
    "opened", "synchronize", "reopened", "ready_for_review", "rerequested", "rerun", "requested_action", "approved"
]
FORCED_REVIEW_REASONS: frozenset[str] = frozenset({"rerequested", "rerun", "requested_action", "approved"})
"""Reasons where someone asked for the review again: it runs even for a head SHA already reviewed."""


class RepoRef(BaseModel):
    """A repository as an installation of the App sees it."""

    installation_id: int
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


class ReviewJob(BaseModel):
    """Review one head commit of one pull request."""

    function: ClassVar[str] = REVIEW_PULL_REQUEST

    repo: RepoRef
    pull_number: int
    head_sha: str
    head_ref: str
    base_ref: str
    base_sha: str
    head_repo_full_name: str | None
    """The fork's full name when the PR comes from a fork, else the repository's own;
    None when the fork was deleted (then nothing can be pushed to the PR branch)."""
    maintainer_can_modify: bool = False
    reason: ReviewReason
    delivery_id: str

    @property
    def job_id(self) -> str:
        """One job per (repository, PR, head SHA): redeliveries and double events run once.

        A review asked for again (re-run button, `/codi rerun`, check run action)
        gets the delivery id appended, so it runs even when that SHA was reviewed.
        """
        base = f"review:{self.repo.full_name}#{self.pull_number}@{self.head_sha}"
        return f"{base}:{self.delivery_id}" if self.reason in FORCED_REVIEW_REASONS else base


class CommentCommandJob(BaseModel):
    """A `/codi …` command written in a pull request comment."""

    function: ClassVar[str] = HANDLE_COMMENT_COMMAND

    repo: RepoRef
    pull_number: int
    comment_id: int
    author: str
    command: Literal["rerun", "help", "apply", "build", "unknown"]
    argument: str | None = None
    """The word after the command (`/codi build SHA`), cut to 64 characters; None when there is none."""
    delivery_id: str

    @property
    def job_id(self) -> str:
        return f"command:{self.repo.full_name}#{self.pull_number}:{self.comment_id}"


class InstallationJob(BaseModel):
    """An installation created, deleted or changed (repositories added or removed)."""

    function: ClassVar[str] = RECORD_INSTALLATION

    installation_id: int
    action: str
    account: str
    repositories_added: list[str] = []
    repositories_removed: list[str] = []
    delivery_id: str

    @property
    def job_id(self) -> str:
        return f"installation:{self.installation_id}:{self.delivery_id}"


Job = ReviewJob | CommentCommandJob | InstallationJob
