"""Just the fields codi reads from GitHub's webhook payloads, validated.

Everything else in a payload is ignored, so GitHub adding fields never breaks
the receiver; a payload missing one of these fields is rejected with the
field's dotted path (`PayloadError`).
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError


class PayloadError(ValueError):
    """A delivery's body is not the payload its event promises; the message names the field."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class User(_Payload):
    login: str
    type: str = "User"


class Installation(_Payload):
    id: int


class Repository(_Payload):
    name: str
    full_name: str
    owner: User


class Branch(_Payload):
    ref: str
    sha: str
    repo: Repository | None
    """None when the fork the PR comes from was deleted."""


class PullRequest(_Payload):
    number: int
    draft: bool = False
    head: Branch
    base: Branch
    maintainer_can_modify: bool = False


class PullRequestEvent(_Payload):
    action: str
    installation: Installation
    repository: Repository
    pull_request: PullRequest


class CheckRunRepo(_Payload):
    """The short repository object inside a check run's pull request."""

    name: str
    url: str

    @property
    def full_name(self) -> str:
        """owner/name from the API URL (`…/repos/{owner}/{name}`), as GitHub leaves out full_name here."""
        owner, _, name = self.url.rpartition("/repos/")[2].partition("/")
        return f"{owner}/{name}"


class CheckRunBranch(_Payload):
    ref: str
    sha: str
    repo: CheckRunRepo


class CheckRunPullRequest(_Payload):
    number: int
    head: CheckRunBranch
    base: CheckRunBranch


class App(_Payload):
    id: int


class CheckRun(_Payload):
    app: App
    pull_requests: list[CheckRunPullRequest]


class CheckRunEvent(_Payload):
    action: str
    installation: Installation
    repository: Repository
    check_run: CheckRun


class Issue(_Payload):
    number: int
    pull_request: dict[str, object] | None = None
    """Present only when the issue is a pull request."""


class Comment(_Payload):
    id: int
    body: str
    user: User


class IssueCommentEvent(_Payload):
    action: str
    installation: Installation
    repository: Repository
    issue: Issue
    comment: Comment
    sender: User


class Account(_Payload):
    """A user or organisation (login) or an enterprise (slug)."""

    login: str | None = None
    slug: str | None = None


class InstallationDetail(_Payload):
    id: int
    account: Account | None = None

    @property
    def account_name(self) -> str:
        account = self.account or Account()
        return account.login or account.slug or ""


class RepositoryName(_Payload):
    full_name: str


class InstallationEvent(_Payload):
    action: str
    installation: InstallationDetail
    repositories: list[RepositoryName] = []


class InstallationRepositoriesEvent(_Payload):
    action: str
    installation: InstallationDetail
    repositories_added: list[RepositoryName]
    repositories_removed: list[RepositoryName]


PayloadT = TypeVar("PayloadT", bound=_Payload)


def read_payload(model: type[PayloadT], body: object) -> PayloadT:
    """Validate a decoded body; the error names each bad field by its dotted path."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "payload"
            reason = "is required" if item["type"] == "missing" else item["msg"]
            problems.append(f"{field} {reason}")
        raise PayloadError("; ".join(problems)) from None
