"""The jobs the receiver enqueues and the workers run: plain data across the queue.

Each job is one arq function name plus one of these models, passed as a
JSON-able dict (`model_dump(mode="json")`), so a worker of another version
can still read what is queued.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

REVIEW_PULL_REQUEST = "review_pull_request"
HANDLE_COMMENT_COMMAND = "handle_comment_command"
RECORD_INSTALLATION = "record_installation"


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

    repo: RepoRef
    pull_number: int
    head_sha: str
    head_ref: str
    base_ref: str
    base_sha: str
    head_repo_full_name: str
    """The fork's full name when the PR comes from a fork, else the repository's own."""
    maintainer_can_modify: bool = False
    reason: Literal["opened", "synchronize", "reopened", "ready_for_review", "rerequested", "rerun", "requested_action"]
    delivery_id: str

    @property
    def job_id(self) -> str:
        """One job per (repository, PR, head SHA): redeliveries and double events run once."""
        return f"review:{self.repo.full_name}#{self.pull_number}@{self.head_sha}"


class CommentCommandJob(BaseModel):
    """A `/codi …` command written in a pull request comment."""

    repo: RepoRef
    pull_number: int
    comment_id: int
    author: str
    command: Literal["rerun", "help", "apply", "unknown"]
    delivery_id: str

    @property
    def job_id(self) -> str:
        return f"command:{self.repo.full_name}#{self.pull_number}:{self.comment_id}"


class InstallationJob(BaseModel):
    """An installation created, deleted or changed (repositories added or removed)."""

    installation_id: int
    action: str
    account: str
    repositories_added: list[str] = []
    repositories_removed: list[str] = []
    delivery_id: str

    @property
    def job_id(self) -> str:
        return f"installation:{self.installation_id}:{self.delivery_id}"
