"""Just the fields codi reads from GitHub's webhook payloads, validated.

Everything else in a payload is ignored, so GitHub adding fields never breaks
the receiver; a payload missing one of these fields is rejected with the
field's dotted path (`PayloadError`). Types are strict (a number is no string, a
string no number) and bounded as GitHub's own values are: ids and numbers are
positive int64s, SHAs hex, names and refs at most 1024 characters; anything else
is no payload of GitHub's.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Sha = Annotated[str, StringConstraints(pattern=r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")]
"""A commit SHA: SHA-1, or SHA-256 for repositories in that object format."""
Text = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class PayloadError(ValueError):
    """A delivery's body is not the payload its event promises; the message names the field."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)


class User(_Payload):
    login: Text
    type: str = "User"


class Installation(_Payload):
    id: Id


class Repository(_Payload):
    name: Text
    full_name: Text
    owner: User


class Branch(_Payload):
    ref: Text
    sha: Sha
    repo: Repository | None
    """None when the fork the PR comes from was deleted."""


class PullRequest(_Payload):
    number: Id
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

    name: Text
    url: Text

    @property
    def full_name(self) -> str:
        """owner/name from the API URL (`…/repos/{owner}/{name}`), as GitHub leaves out full_name here."""
        owner, _, name = self.url.rpartition("/repos/")[2].partition("/")
        return f"{owner}/{name}"


class CheckRunBranch(_Payload):
    ref: Text
    sha: Sha
    repo: CheckRunRepo


class CheckRunPullRequest(_Payload):
    number: Id
    head: CheckRunBranch
    base: CheckRunBranch


class App(_Payload):
    id: Id


class CheckRun(_Payload):
    app: App
    pull_requests: list[CheckRunPullRequest]


class CheckRunEvent(_Payload):
    action: str
    installation: Installation
    repository: Repository
    check_run: CheckRun


class Issue(_Payload):
    number: Id
    pull_request: dict[str, object] | None = None
    """Present only when the issue is a pull request."""


class Comment(_Payload):
    id: Id
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

    login: Text | None = None
    slug: Text | None = None


class InstallationDetail(_Payload):
    id: Id
    account: Account | None = None

    @property
    def account_name(self) -> str:
        account = self.account or Account()
        return account.login or account.slug or ""


class RepositoryName(_Payload):
    full_name: Text


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


MAX_PROBLEMS = 5
"""Bad fields named in one error: a hostile payload with thousands of them gets a short answer."""


def read_payload(model: type[PayloadT], body: object) -> PayloadT:
    """Validate a decoded body; the error names the first bad fields by their dotted paths."""
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            field = ".".join(str(part) for part in item["loc"]) or "payload"
            reason = "is required" if item["type"] == "missing" else item["msg"]
            problems.append(f"{field} {reason}")
        more = f"; and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        raise PayloadError("; ".join(problems[:MAX_PROBLEMS]) + more) from None
