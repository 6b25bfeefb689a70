"""What the fake GitHub knows: installations, repositories with branches, pull requests and what was posted."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count

from tests.github_api.git import FileDiff, GitStore, diff_files

PERMISSIONS = ("admin", "maintain", "write", "triage", "read", "none")


@dataclass
class Installation:
    id: int
    account: str


@dataclass
class Repo:
    owner: str
    name: str
    id: int
    installation_id: int | None
    default_branch: str
    branches: dict[str, str] = field(default_factory=dict)
    """Branch name → commit SHA."""
    permissions: dict[str, str] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class PullRequestState:
    """A seeded pull request; head and base SHAs follow the branches, so pushes and API commits show."""

    number: int
    id: int
    base_repo: Repo
    base_ref: str
    head_repo: Repo
    head_ref: str
    base_sha: str
    draft: bool
    maintainer_can_modify: bool
    author: str
    title: str

    @property
    def owner(self) -> str:
        return self.base_repo.owner

    @property
    def repo(self) -> str:
        return self.base_repo.name

    @property
    def installation_id(self) -> int | None:
        return self.base_repo.installation_id

    @property
    def head_sha(self) -> str:
        return self.head_repo.branches[self.head_ref]

    @property
    def is_fork(self) -> bool:
        return self.head_repo is not self.base_repo


@dataclass
class Annotation:
    path: str
    start_line: int
    end_line: int
    annotation_level: str
    message: str
    title: str | None = None
    start_column: int | None = None
    end_column: int | None = None
    raw_details: str | None = None


@dataclass
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    started_at: str
    completed_at: str | None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    details_url: str | None = None
    external_id: str | None = None
    actions: list[dict] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    """Every annotation posted, across the create and update requests (GitHub appends them)."""
    annotation_batches: list[int] = field(default_factory=list)
    """Annotations per request, to see how they were batched."""


@dataclass
class ReviewComment:
    id: int
    pull_number: int
    review_id: int | None
    path: str
    line: int
    side: str
    start_line: int | None
    start_side: str | None
    body: str
    commit_id: str
    author: str
    diff_hunk: str
    position: int
    created_at: str
    in_reply_to_id: int | None = None


@dataclass
class Review:
    id: int
    pull_number: int
    commit_id: str
    state: str
    body: str
    author: str
    submitted_at: str
    comments: list[ReviewComment] = field(default_factory=list)


@dataclass
class IssueComment:
    id: int
    issue_number: int
    body: str
    author: str
    created_at: str
    updated_at: str
    reactions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Webhook:
    """The App's webhook URL and secret, where the fake sends deliveries (`FakeGitHub.configure_webhook`)."""

    url: str
    secret: str


@dataclass
class HookDelivery:
    """One attempt of GitHub to deliver an event to the App's webhook URL (`GET /app/hook/deliveries`)."""

    id: int
    guid: str
    """The event's id, the receiver's X-GitHub-Delivery; a redelivery keeps it."""
    event: str
    action: str | None
    status_code: int
    """What the receiver answered; 0 when GitHub could not connect."""
    delivered_at: float
    """Epoch seconds."""
    redelivery: bool = False
    installation_id: int | None = None
    repository_id: int | None = None
    payload: bytes | None = None
    """The body sent to the App's webhook URL; None for a delivery seeded as a record only."""

    @property
    def status(self) -> str:
        if self.status_code == 0:
            return "failed to connect"
        return "OK" if 200 <= self.status_code < 300 else f"Invalid HTTP Response: {self.status_code}"


@dataclass
class World:
    """All seeded and posted state; `reset()` on the server replaces it with a fresh one."""

    git: GitStore = field(default_factory=GitStore)
    installations: dict[int, Installation] = field(default_factory=dict)
    repos: dict[str, Repo] = field(default_factory=dict)
    pulls: dict[tuple[str, int], PullRequestState] = field(default_factory=dict)
    check_runs: dict[int, tuple[str, CheckRun]] = field(default_factory=dict)
    """Check run id → (repo full name, run)."""
    reviews: dict[str, list[Review]] = field(default_factory=dict)
    review_comments: dict[str, dict[int, ReviewComment]] = field(default_factory=dict)
    issue_comments: dict[str, dict[int, IssueComment]] = field(default_factory=dict)
    tokens: dict[str, tuple[int, float]] = field(default_factory=dict)
    """Installation token → (installation id, expiry as epoch seconds)."""
    hook_deliveries: list[HookDelivery] = field(default_factory=list)
    """The App's webhook deliveries, oldest first; a redelivery request appends one."""
    redelivery_status_code: int = 202
    """What a redelivery of a record-only delivery is said to have got (a later attempt after an outage: 202)."""
    webhook: Webhook | None = None
    ids: count = field(default_factory=lambda: count(1001))

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def pull_files(self, pull: PullRequestState) -> list[FileDiff]:
        base = self.git.commits[pull.base_sha].files
        head = self.git.commits[pull.head_sha].files
        return diff_files(base, head)
