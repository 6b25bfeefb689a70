"""The GitHub edge of the worker: every REST call codi makes, through githubkit.

One `GitHubGateway` per worker process. It signs in as the App (JWT) and
asks for an installation token per installation; githubkit caches that
token in its in-memory cache until one minute before GitHub's `expires_at`
(`githubkit/auth/app.py`, `async_auth_flow`), so a token is fetched once
per hour and installation, not once per call.

Retries use githubkit's own `auto_retry` hook with codi's decision
(`RetryPolicy`): 5xx answers, connection errors and timeouts back off
exponentially with jitter; primary and secondary rate limits wait what
GitHub says (`Retry-After`, else `x-ratelimit-reset`, else a minute for a
secondary limit that names no wait). Both are bounded by a number of
attempts and a total wait per request; past that the call raises
`GitHubUnavailable`, which the jobs turn into an arq retry deferred until
GitHub's reset, however far, instead of holding a worker slot for minutes.
githubkit's default decision would wait out any rate limit however long
and not retry connection errors, so it is replaced, not used.

Reads use the raw JSON (`Response.json()`): codi needs a few keys, and
parsing whole githubkit models per page would cost time for nothing.
"""

from __future__ import annotations

import asyncio
import base64
import random
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from githubkit import AppAuthStrategy, AppInstallationAuthStrategy, GitHub
from githubkit.auth import BaseAuthStrategy
from githubkit.cache import MemCacheStrategy
from githubkit.exception import GitHubException, RateLimitExceeded, RequestError, RequestFailed
from githubkit.retry import RetryOption

from codi.webhooks.jobs import RepoRef

WRITE_ROLES = frozenset({"admin", "maintain", "write"})
"""Collaborator roles allowed to run `/codi` commands."""


class GitHubUnavailable(RuntimeError):
    """GitHub kept failing (5xx, connection, rate limit) past the retry budget; try the job later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        """Seconds GitHub asked to wait (rate limits), when it said."""
        self.retry_at = time.time() + retry_after if retry_after is not None else None
        """When that wait ends (epoch seconds): a job deferred later still waits until then, not longer."""


class GitHubRejected(RuntimeError):
    """GitHub answered a 4xx that retrying will not change (validation error, no permission, conflict)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"GitHub answered {status}: {message}")
        self.status = status


@dataclass(frozen=True)
class RetryPolicy:
    """How long one request may keep trying before `GitHubUnavailable`."""

    max_attempts: int = 5
    base_delay: float = 0.5
    """First back-off after a 5xx or connection error; doubles each attempt."""
    max_delay: float = 20.0
    """Longest single wait; a rate limit asking for more gives up at once (the job is deferred)."""
    max_total_wait: float = 45.0


_waited: ContextVar[float] = ContextVar("codi_github_waited", default=0.0)
"""Seconds the current request has waited so far (retries of one request run in one task)."""


class RetryDecision:
    """githubkit `auto_retry` decision: bounded exponential back-off with jitter, rate limits honoured."""

    def __init__(self, policy: RetryPolicy, count_error: Callable[[str], None]) -> None:
        self.policy = policy
        self.count_error = count_error

    def __call__(self, exc: GitHubException, retry_count: int) -> RetryOption:
        if retry_count == 0:
            _waited.set(0.0)
        delay = self.delay(exc, retry_count)
        if delay is None or retry_count + 1 >= self.policy.max_attempts:
            return RetryOption(False)
        if delay > self.policy.max_delay or _waited.get() + delay > self.policy.max_total_wait:
            return RetryOption(False)
        _waited.set(_waited.get() + delay)
        return RetryOption(True, timedelta(seconds=delay))

    def delay(self, exc: GitHubException, retry_count: int) -> float | None:
        """Seconds to wait before the next attempt, or None when the error is not worth retrying."""
        failure = _status_failure(exc)
        if failure is not None and (wait := rate_limit_wait(failure)) is not None:
            return wait
        if failure is not None and failure.response.status_code < 500:
            return None
        if failure is None:
            self.count_error(type(_origin(exc)).__name__)
        backoff = self.policy.base_delay * 2**retry_count
        return backoff / 2 + random.uniform(0, backoff / 2)


SECONDARY_RATE_LIMIT_WAIT = 60.0
"""GitHub's advice for a secondary rate limit that names no wait: at least a minute."""


def rate_limit_wait(failure: RequestFailed) -> float | None:
    """Seconds a rate-limited answer asks to wait, or None when it is no rate limit.

    githubkit recognises `Retry-After` and an exhausted `x-ratelimit-remaining`; GitHub also
    answers secondary limits as a bare 429, or a 403 whose message says so, with neither header.
    """
    if isinstance(failure, RateLimitExceeded):
        return failure.retry_after.total_seconds()
    status = failure.response.status_code
    if status == 429 or (status == 403 and "rate limit" in _error_message(failure.response.raw_response).lower()):
        return SECONDARY_RATE_LIMIT_WAIT
    return None


def _origin(exc: GitHubException) -> BaseException:
    return exc.exc if isinstance(exc, RequestError) else exc


def _status_failure(exc: BaseException) -> RequestFailed | None:
    """The HTTP failure behind `exc`; a failed token request arrives wrapped in a `RequestError`."""
    while isinstance(exc, RequestError):
        if isinstance(exc, RequestFailed):
            return exc
        exc = exc.exc
    return None


@contextmanager
def translated_errors(what: str) -> Iterator[None]:
    """githubkit's exceptions → `GitHubUnavailable` (worth a later retry) or `GitHubRejected`."""
    try:
        yield
    except GitHubException as exc:
        failure = _status_failure(exc)
        if failure is not None and (wait := rate_limit_wait(failure)) is not None:
            raise GitHubUnavailable(f"{what}: rate limited", wait) from exc
        if failure is None:
            raise GitHubUnavailable(f"{what}: {_origin(exc)!r}") from exc
        status = failure.response.status_code
        if status >= 500:
            raise GitHubUnavailable(f"{what}: GitHub answered {status}") from exc
        raise GitHubRejected(status, f"{what}: {_error_message(failure.response.raw_response)}") from exc


def _error_message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", response.text))
    except ValueError:
        return response.text[:200]


def _path(repo: RepoRef) -> dict[str, str]:
    """The `owner` and `repo` path parameters of every repository endpoint."""
    return {"owner": repo.owner, "repo": repo.name}


class _SharedTransport(httpx.AsyncBaseTransport):
    """One connection pool for all clients: githubkit opens and closes a client per call."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Kept open: the gateway closes the pool once, in `close`."""


@dataclass(frozen=True)
class PullRequest:
    number: int
    state: str
    head_sha: str
    head_ref: str
    head_repo_full_name: str
    base_ref: str
    base_sha: str
    base_repo_full_name: str
    maintainer_can_modify: bool
    author: str
    """The login of whoever opened the pull request."""

    @property
    def is_fork(self) -> bool:
        """From another repository, or from a fork since deleted (no head repository)."""
        return self.head_repo_full_name.lower() != self.base_repo_full_name.lower()


@dataclass(frozen=True)
class PullFile:
    """One file of a pull request's diff as GitHub lists it."""

    path: str
    status: str
    """added, removed, modified, renamed, copied, changed, unchanged."""
    patch: str | None
    """The unified diff hunks; GitHub leaves it out for binary and very large diffs."""
    previous_path: str | None = None


@dataclass(frozen=True)
class ListedReviewComment:
    id: int
    body: str
    author: str
    path: str
    line: int | None
    in_reply_to_id: int | None


@dataclass(frozen=True)
class IssueComment:
    id: int
    body: str
    author: str


class GitHubGateway:
    """Every GitHub REST call the worker makes, with retries, timeouts and call counting."""

    def __init__(
        self,
        app_id: int,
        private_key: str,
        base_url: str = "https://api.github.com",
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        count_call: Callable[[str], None] | None = None,
    ) -> None:
        """`count_call(status)` is told every answer's status code, or the error name when none came."""
        self.app_id = app_id
        self.private_key = private_key
        self.base_url = base_url
        self.timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        self.count_call = count_call or (lambda status: None)
        self.retry = RetryDecision(retry or RetryPolicy(), self.count_call)
        self._transport = httpx.AsyncHTTPTransport(retries=0)
        self._shared = _SharedTransport(self._transport)
        self._cache = MemCacheStrategy()
        self._clients: dict[int, GitHub[AppInstallationAuthStrategy]] = {}
        self._bot_login: str | None = None
        self._bot_login_lock = asyncio.Lock()
        """Jobs running at once ask `GET /app` once between them."""

    async def close(self) -> None:
        await self._transport.aclose()

    def client(self, installation_id: int) -> GitHub[AppInstallationAuthStrategy]:
        """githubkit client for one installation (its token is cached by githubkit until near expiry)."""
        client = self._clients.get(installation_id)
        if client is None:
            client = self._github(AppInstallationAuthStrategy(self.app_id, self.private_key, installation_id))
            self._clients[installation_id] = client
        return client

    def _github(self, auth: BaseAuthStrategy) -> GitHub[Any]:
        """A client with the gateway's pool, retries and counting, signed in by `auth` (the App, an installation,
        or a token such as a workflow's)."""
        return GitHub(
            auth,
            base_url=self.base_url,
            user_agent="codi-github-app",
            timeout=self.timeout,
            async_transport=self._shared,
            async_event_hooks={"response": [self._count_response]},
            cache_strategy=self._cache,
            http_cache=False,
            auto_retry=self.retry,
        )

    async def bot_login(self) -> str:
        """The login the App's comments carry, `<app-slug>[bot]`: asked of `GET /app` (the App's JWT) once per
        process. Only comments by this login are codi's to find, edit or delete: anyone can write codi's
        markers into a comment of their own."""
        async with self._bot_login_lock:
            if self._bot_login is None:
                app = self._github(AppAuthStrategy(self.app_id, self.private_key))
                with translated_errors("get the App (GET /app)"):
                    response = await app.rest.apps.async_get_authenticated()
                self._bot_login = f"{response.json()['slug']}[bot]"
        return self._bot_login

    async def _count_response(self, response: httpx.Response) -> None:
        self.count_call(str(response.status_code))

    async def _paginate(self, repo: RepoRef, method: Callable[..., Any], **params: Any) -> AsyncIterator[dict]:
        """Every item of a list endpoint, following GitHub's `Link: rel="next"` pages."""
        github = self.client(repo.installation_id)
        pages = github.rest.paginate(method(github), map_func=lambda r: r.json(), **_path(repo), per_page=100, **params)
        async for item in pages:
            yield item

    # Pull requests

    async def pull_request(self, repo: RepoRef, number: int) -> PullRequest:
        with translated_errors(f"get pull request {repo.full_name}#{number}"):
            response = await self.client(repo.installation_id).rest.pulls.async_get(**_path(repo), pull_number=number)
        data = response.json()
        head_repo = data["head"].get("repo") or {}
        return PullRequest(
            number=data["number"],
            state=data["state"],
            head_sha=data["head"]["sha"],
            head_ref=data["head"]["ref"],
            head_repo_full_name=head_repo.get("full_name", ""),
            base_ref=data["base"]["ref"],
            base_sha=data["base"]["sha"],
            base_repo_full_name=data["base"]["repo"]["full_name"],
            maintainer_can_modify=bool(data.get("maintainer_can_modify")),
            author=(data.get("user") or {}).get("login", ""),
        )

    async def pull_request_files(self, repo: RepoRef, number: int) -> list[PullFile]:
        with translated_errors(f"list files of {repo.full_name}#{number}"):
            return [
                PullFile(item["filename"], item["status"], item.get("patch"), item.get("previous_filename"))
                async for item in self._paginate(
                    repo, lambda gh: gh.rest.pulls.async_list_files, pull_number=number
                )
            ]

    async def file_text(self, repo: RepoRef, path: str, ref: str) -> str | None:
        """A file's text at `ref`; None when there is no such file (or it is a directory)."""
        github = self.client(repo.installation_id)
        with translated_errors(f"get {path}@{ref} in {repo.full_name}"):
            try:
                response = await github.rest.repos.async_get_content(**_path(repo), path=path, ref=ref)
            except RequestFailed as error:
                if error.response.status_code == 404:
                    return None
                raise
            data = response.json()
            if not isinstance(data, dict) or data.get("type") != "file":
                return None
            if data.get("encoding") != "base64":
                # Files over 1 MB come without content; the blob API serves them.
                blob = await github.rest.git.async_get_blob(**_path(repo), file_sha=data["sha"])
                data = blob.json()
        return base64.b64decode(data["content"]).decode("utf-8", "surrogateescape")

    async def tarball(self, repo: RepoRef, ref: str) -> AsyncGenerator[bytes, None]:
        """The repository at `ref` as GitHub's tar.gz archive (the API redirects to codeload; githubkit follows),
        chunk by chunk: the caller bounds it and may stop early, which closes the connection."""
        what = f"download the archive of {repo.full_name}@{ref}"
        with translated_errors(what):
            response = await self.client(repo.installation_id).rest.repos.async_download_tarball_archive(
                **_path(repo), ref=ref, stream=True
            )
        try:
            async for chunk in response.raw_response.aiter_bytes():
                yield chunk
        except httpx.HTTPError as error:  # the body broke off: worth a later retry, like a failed request
            raise GitHubUnavailable(f"{what}: {error!r}") from error
        finally:
            await response.raw_response.aclose()

    # Check runs

    async def create_check_run(self, repo: RepoRef, head_sha: str, name: str, output: dict[str, Any]) -> int:
        body = {"name": name, "head_sha": head_sha, "status": "in_progress", "output": output}
        with translated_errors(f"create check run for {head_sha}"):
            response = await self.client(repo.installation_id).rest.checks.async_create(**_path(repo), data=body)
        return response.json()["id"]

    async def update_check_run(
        self, repo: RepoRef, check_run_id: int, output: dict[str, Any], conclusion: str | None = None
    ) -> None:
        """One PATCH: GitHub appends `output.annotations` (50 at most) to earlier ones; a conclusion completes it."""
        body: dict[str, Any] = {"output": output}
        if conclusion is not None:
            body |= {"status": "completed", "conclusion": conclusion}
        with translated_errors(f"update check run {check_run_id}"):
            await self.client(repo.installation_id).rest.checks.async_update(
                **_path(repo), check_run_id=check_run_id, data=body
            )

    # Reviews and review comments

    async def create_review(
        self, repo: RepoRef, number: int, commit_id: str, body: str, comments: Sequence[dict[str, Any]]
    ) -> int:
        """Post a submitted review (event COMMENT: a pending review would stay invisible)."""
        data: dict[str, Any] = {"commit_id": commit_id, "body": body, "event": "COMMENT", "comments": list(comments)}
        with translated_errors(f"create review on {repo.full_name}#{number}"):
            response = await self.client(repo.installation_id).rest.pulls.async_create_review(
                **_path(repo), pull_number=number, data=data
            )
        return response.json()["id"]

    async def review_comments(self, repo: RepoRef, number: int) -> list[ListedReviewComment]:
        with translated_errors(f"list review comments of {repo.full_name}#{number}"):
            return [
                ListedReviewComment(
                    id=item["id"],
                    body=item["body"],
                    author=(item.get("user") or {}).get("login", ""),
                    path=item["path"],
                    line=item.get("line"),
                    in_reply_to_id=item.get("in_reply_to_id"),
                )
                async for item in self._paginate(
                    repo, lambda gh: gh.rest.pulls.async_list_review_comments, pull_number=number
                )
            ]

    async def delete_review_comment(self, repo: RepoRef, comment_id: int) -> None:
        """Delete a review comment; one already gone counts as deleted (a retried job may repeat this)."""
        with translated_errors(f"delete review comment {comment_id}"):
            try:
                await self.client(repo.installation_id).rest.pulls.async_delete_review_comment(
                    **_path(repo), comment_id=comment_id
                )
            except RequestFailed as error:
                if error.response.status_code != 404:
                    raise

    # Issue comments (the summary and command replies)

    async def issue_comments(self, repo: RepoRef, number: int) -> list[IssueComment]:
        with translated_errors(f"list comments of {repo.full_name}#{number}"):
            return [
                IssueComment(item["id"], item.get("body") or "", (item.get("user") or {}).get("login", ""))
                async for item in self._paginate(
                    repo, lambda gh: gh.rest.issues.async_list_comments, issue_number=number
                )
            ]

    async def create_issue_comment(self, repo: RepoRef, number: int, body: str) -> int:
        with translated_errors(f"comment on {repo.full_name}#{number}"):
            response = await self.client(repo.installation_id).rest.issues.async_create_comment(
                **_path(repo), issue_number=number, data={"body": body}
            )
        return response.json()["id"]

    async def update_issue_comment(self, repo: RepoRef, comment_id: int, body: str) -> None:
        with translated_errors(f"edit comment {comment_id}"):
            await self.client(repo.installation_id).rest.issues.async_update_comment(
                **_path(repo), comment_id=comment_id, data={"body": body}
            )

    # Permissions

    async def can_write(self, repo: RepoRef, user: str) -> bool:
        """True for admin, maintain and write collaborators (GitHub's `role_name`, else `permission`)."""
        with translated_errors(f"permission of {user} on {repo.full_name}"):
            try:
                response = await self.client(repo.installation_id).rest.repos.async_get_collaborator_permission_level(
                    **_path(repo), username=user
                )
            except RequestFailed as error:
                if error.response.status_code == 404:
                    return False
                raise
        data = response.json()
        return data.get("role_name") in WRITE_ROLES or data.get("permission") in WRITE_ROLES

    # Git Data API: one commit on a branch

    async def commit_files(
        self, repo: RepoRef, branch: str, expected_head: str, files: dict[str, str], message: str
    ) -> str:
        """Commit `files` (path → new text) on `branch` in one commit; returns the new commit SHA.

        The ref moves only from `expected_head` (no force): a push in between makes GitHub
        answer 422 and nothing is overwritten.
        """
        github = self.client(repo.installation_id)
        with translated_errors(f"commit to {repo.full_name}:{branch}"):
            parent = (await github.rest.git.async_get_commit(**_path(repo), commit_sha=expected_head)).json()
            tree_entries = []
            for path, text in files.items():
                content = base64.b64encode(text.encode("utf-8", "surrogateescape")).decode()
                blob = await github.rest.git.async_create_blob(
                    **_path(repo), data={"content": content, "encoding": "base64"}
                )
                tree_entries.append({"path": path, "mode": "100644", "type": "blob", "sha": blob.json()["sha"]})
            tree = await github.rest.git.async_create_tree(
                **_path(repo), data={"base_tree": parent["tree"]["sha"], "tree": tree_entries}
            )
            commit = await github.rest.git.async_create_commit(
                **_path(repo), data={"message": message, "tree": tree.json()["sha"], "parents": [expected_head]}
            )
            sha = commit.json()["sha"]
            await github.rest.git.async_update_ref(
                **_path(repo), ref=f"heads/{branch}", data={"sha": sha, "force": False}
            )
        return sha
