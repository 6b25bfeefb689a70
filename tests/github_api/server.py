"""A local api.github.com for tests: validates every request against GitHub's OpenAPI description.

`FakeGitHub` is an ASGI app run by uvicorn on 127.0.0.1 in a background thread. It matches each
request to an operation of the description, checks path, query and JSON body, answers from a
stateful fake of the endpoints a GitHub App reviewer uses, and checks its own response against the
documented schema. Anything off the description lands in `violations` (tests assert it stays empty).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

import jwt
import uvicorn
from starlette.requests import Request
from starlette.responses import Response

from tests.github_api.endpoints import (
    CODELOAD_PREFIX,
    Call,
    Endpoints,
    Reply,
    error,
    not_found,
    now_iso,
    send_webhook,
)
from tests.github_api.spec import GitHubRestSpec, load_spec
from tests.github_api.state import (
    PERMISSIONS,
    CheckRun,
    HookDelivery,
    Installation,
    IssueComment,
    PullRequestState,
    Repo,
    Review,
    ReviewComment,
    Webhook,
    World,
)

RATE_LIMIT = 5000
JWT_MAX_LIFETIME_SECONDS = 600
CLOCK_DRIFT_SECONDS = 60


@dataclass(frozen=True)
class Violation:
    """A request off GitHub's description, or a response of the fake off its documented schema."""

    kind: str
    """'request' or 'response'."""
    method: str
    path: str
    errors: list[str]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    json: Any
    headers: dict[str, str]
    status: int
    timestamp: float
    operation_id: str | None


@dataclass
class Injection:
    method: str
    path: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    remaining: int


@dataclass(frozen=True)
class AppCredentials:
    app_id: int
    public_key_pem: str


@dataclass
class FakeGitHub:
    """The server object tests seed, start, fault and read back."""

    spec: GitHubRestSpec = field(default_factory=load_spec)
    app: AppCredentials | None = None
    latency: float = 0.0
    """Seconds added to every call, as a remote API would."""
    world: World = field(default_factory=World)
    violations: list[Violation] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    injections: list[Injection] = field(default_factory=list)
    validation_seconds: float = 0.0
    """Time spent validating requests and responses, to report the checker's cost."""
    url: str = ""
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> str:
        """Serve on a free loopback port in a daemon thread; return the base URL once it listens."""
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        started = threading.Event()
        config = uvicorn.Config(self, log_level="warning", lifespan="off", access_log=False)
        server = _NotifyingServer(config, started)
        self._server = server
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                                        name="fake-github")
        self._thread.start()
        if not started.wait(timeout=30):
            raise RuntimeError("the local GitHub API server did not start within 30 s")
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        return self.url

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def reset(self) -> None:
        """Forget everything seeded, posted, injected and recorded.

        Kept: the App credentials, the URL and issued installation tokens (GitHub does not revoke
        them, and clients cache them across tests).
        """
        with self._lock:
            self.world = World(tokens=self.world.tokens)
            self.violations.clear()
            self.requests.clear()
            self.injections.clear()
            self.latency = 0.0
            self.validation_seconds = 0.0

    # -- seeding -------------------------------------------------------------------------------

    def configure_app(self, app_id: int, public_key_pem: str) -> None:
        """The App whose JWTs `access_tokens` accepts."""
        self.app = AppCredentials(app_id, public_key_pem)

    def add_installation(self, installation_id: int, account: str) -> Installation:
        with self._lock:
            installation = Installation(installation_id, account)
            self.world.installations[installation_id] = installation
            return installation

    def add_repo(self, owner: str, name: str, installation_id: int | None, default_branch: str = "main") -> Repo:
        """A repository with one empty commit on `default_branch`; `installation_id` None for a fork outside it."""
        with self._lock:
            if installation_id is not None and installation_id not in self.world.installations:
                raise ValueError(f"installation {installation_id} is not seeded: call add_installation first")
            repo = Repo(owner, name, next(self.world.ids), installation_id, default_branch)
            root = self.world.git.commit_files({}, [], "Initial commit", now_iso())
            repo.branches[default_branch] = root.sha
            self.world.repos[repo.full_name.lower()] = repo
            return repo

    def _repo(self, owner: str, name: str) -> Repo:
        repo = self.world.repo(owner, name)
        if repo is None:
            raise ValueError(f"repository {owner}/{name} is not seeded: call add_repo first")
        return repo

    def add_pull(
        self,
        owner: str,
        name: str,
        number: int,
        base_files: dict[str, str],
        head_files: dict[str, str],
        head_repo: str | None = None,
        draft: bool = False,
        maintainer_can_modify: bool = False,
        head_ref: str | None = None,
        author: str = "octocat",
        title: str = "Update Dockerfiles",
    ) -> PullRequestState:
        """A pull request from `head_ref` (default `pr-<number>`) into the default branch.

        The base branch gets a commit holding `base_files`, the head branch one on top of it holding
        `head_files` (whole snapshots: a file missing from `head_files` is removed by the PR).
        `head_repo` "owner/name" makes it a PR from a fork (seeded without installation if new).
        """
        with self._lock:
            base_repo = self._repo(owner, name)
            if (base_repo.full_name.lower(), number) in self.world.pulls:
                raise ValueError(f"pull request {owner}/{name}#{number} is already seeded")
            fork = base_repo
            if head_repo is not None:
                fork_owner, fork_name = head_repo.split("/")
                fork = self.world.repo(fork_owner, fork_name) or self.add_repo(fork_owner, fork_name, None)
            git = self.world.git
            base_tip = base_repo.branches[base_repo.default_branch]
            base = git.commit_files(base_files, [base_tip], "Base of the pull request", now_iso())
            base_repo.branches[base_repo.default_branch] = base.sha
            ref = head_ref or f"pr-{number}"
            head = git.commit_files(head_files, [base.sha], "Change Dockerfiles", now_iso())
            fork.branches[ref] = head.sha
            pull = PullRequestState(
                number=number,
                id=next(self.world.ids),
                base_repo=base_repo,
                base_ref=base_repo.default_branch,
                head_repo=fork,
                head_ref=ref,
                base_sha=base.sha,
                draft=draft,
                maintainer_can_modify=maintainer_can_modify,
                author=author,
                title=title,
            )
            self.world.pulls[(base_repo.full_name.lower(), number)] = pull
            return pull

    def pull(self, owner: str, name: str, number: int) -> PullRequestState:
        found = self.world.pulls.get((f"{owner}/{name}".lower(), number))
        if found is None:
            raise ValueError(f"pull request {owner}/{name}#{number} is not seeded")
        return found

    def push(self, owner: str, name: str, number: int, head_files: dict[str, str]) -> str:
        """A new commit on the PR's head branch with `head_files` as its snapshot; returns the new head SHA."""
        with self._lock:
            pull = self.pull(owner, name, number)
            commit = self.world.git.commit_files(head_files, [pull.head_sha], "Push", now_iso())
            pull.head_repo.branches[pull.head_ref] = commit.sha
            return commit.sha

    def files_at(self, owner: str, name: str, ref: str) -> dict[str, str]:
        """The snapshot of a branch or commit, to check what a commit through the Git Data API changed."""
        repo = self._repo(owner, name)
        sha = repo.branches.get(ref, ref)
        return dict(self.world.git.commits[sha].files)

    def set_permission(self, owner: str, name: str, user: str, permission: str) -> None:
        if permission not in PERMISSIONS:
            raise ValueError(f"permission must be one of {', '.join(PERMISSIONS)}, not {permission!r}")
        with self._lock:
            self._repo(owner, name).permissions[user.lower()] = permission

    def add_review_reply(self, owner: str, name: str, comment_id: int, body: str, author: str) -> ReviewComment:
        """Someone answers a review comment (GitHub threads it with `in_reply_to_id`)."""
        with self._lock:
            repo = self._repo(owner, name)
            parent = self.world.review_comments[repo.full_name][comment_id]
            reply = ReviewComment(
                **{**parent.__dict__, "id": next(self.world.ids), "review_id": None, "body": body,
                   "author": author, "created_at": now_iso(), "in_reply_to_id": comment_id}
            )
            self.world.review_comments[repo.full_name][reply.id] = reply
            return reply

    def add_review_comment(
        self, owner: str, name: str, number: int, path: str, line: int, body: str, author: str
    ) -> ReviewComment:
        """Someone (not the App) comments on a line the pull request changes, on the head's side."""
        with self._lock:
            pull = self.pull(owner, name, number)
            diff = next(d for d in self.world.pull_files(pull) if d.filename == path)
            position = diff.position_of(line, "RIGHT")
            if position is None:
                raise ValueError(f"line {line} of {path} is not in the pull request's diff")
            comment = ReviewComment(
                id=next(self.world.ids), pull_number=number, review_id=None, path=path, line=line, side="RIGHT",
                start_line=None, start_side=None, body=body, commit_id=pull.head_sha, author=author,
                diff_hunk=diff.diff_hunk(line, "RIGHT"), position=position, created_at=now_iso(),
            )  # fmt: skip
            self.world.review_comments.setdefault(pull.base_repo.full_name, {})[comment.id] = comment
            return comment

    def add_issue_comment(self, owner: str, name: str, number: int, body: str, author: str) -> IssueComment:
        """Someone (not the App) comments on the pull request's conversation."""
        with self._lock:
            pull = self.pull(owner, name, number)
            stamp = now_iso()
            comment = IssueComment(next(self.world.ids), number, body, author, stamp, stamp)
            self.world.issue_comments.setdefault(pull.base_repo.full_name, {})[comment.id] = comment
            return comment

    def add_hook_delivery(
        self,
        event: str,
        action: str | None,
        status_code: int,
        age_seconds: float = 0.0,
        guid: str | None = None,
        redelivery: bool = False,
        installation_id: int | None = None,
    ) -> HookDelivery:
        """A delivery GitHub made `age_seconds` ago and what the receiver answered (0: could not connect)."""
        with self._lock:
            delivery = HookDelivery(
                next(self.world.ids), guid or str(uuid.uuid4()), event, action, status_code,
                time.time() - age_seconds, redelivery, installation_id,
            )  # fmt: skip
            self.world.hook_deliveries.append(delivery)
            return delivery

    def configure_webhook(self, url: str, secret: str) -> None:
        """Where `send_webhook` and redeliveries of what it sent go: the App's webhook URL and secret."""
        with self._lock:
            self.world.webhook = Webhook(url, secret)

    def send_webhook(self, event: str, payload: dict[str, Any], guid: str | None = None) -> HookDelivery:
        """Deliver an event to the App's webhook URL, as GitHub does, and record what the receiver answered."""
        with self._lock:
            return send_webhook(self.world, guid or str(uuid.uuid4()), event, json.dumps(payload).encode())

    def hook_deliveries(self) -> list[HookDelivery]:
        """Every delivery, seeded and redelivered, in the order they were made."""
        return sorted(self.world.hook_deliveries, key=lambda d: (d.delivered_at, d.id))

    def expire_tokens(self) -> None:
        """Make every installation token issued so far expired (GitHub answers 401 from then on)."""
        with self._lock:
            self.world.tokens = {token: (inst, 0.0) for token, (inst, _) in self.world.tokens.items()}

    # -- fault injection and read-back ---------------------------------------------------------

    def inject(self, method: str, path_regex: str, status: int, body: Any = None,
               headers: dict[str, str] | None = None, times: int = 1) -> None:
        """Answer the next `times` matching requests with `status` (after request validation)."""
        if body is None:
            body = {"message": HTTPStatus(status).phrase, "documentation_url": "https://docs.github.com/rest"}
        with self._lock:
            self.injections.append(
                Injection(method.upper(), re.compile(path_regex), status, body, headers or {}, times))

    def check_runs(self, owner: str, name: str) -> list[CheckRun]:
        full_name = self._repo(owner, name).full_name
        return [run for repo, run in self.world.check_runs.values() if repo == full_name]

    def reviews(self, owner: str, name: str, number: int | None = None) -> list[Review]:
        found = self.world.reviews.get(self._repo(owner, name).full_name, [])
        return [review for review in found if number is None or review.pull_number == number]

    def review_comments(self, owner: str, name: str, number: int | None = None) -> list[ReviewComment]:
        found = self.world.review_comments.get(self._repo(owner, name).full_name, {}).values()
        return [comment for comment in found if number is None or comment.pull_number == number]

    def issue_comments(self, owner: str, name: str, number: int | None = None) -> list[IssueComment]:
        found = self.world.issue_comments.get(self._repo(owner, name).full_name, {}).values()
        return [comment for comment in found if number is None or comment.issue_number == number]

    # -- ASGI ----------------------------------------------------------------------------------

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        raw = await request.body()
        if self.latency:
            await asyncio.sleep(self.latency)
        if request.url.path.startswith(CODELOAD_PREFIX):
            await self._codeload(request, scope, receive, send)
            return
        with self._lock:
            reply, operation_id, parsed = self._handle(request, raw)
            headers = self._headers(reply)
            self.requests.append(RecordedRequest(
                method=request.method,
                path=request.url.path,
                query=parse_qs(request.url.query),
                json=parsed,
                headers=dict(request.headers),
                status=reply.status,
                timestamp=time.time(),
                operation_id=operation_id,
            ))
        content = b"" if reply.body is None else json.dumps(reply.body).encode()
        await Response(content, status_code=reply.status, headers=headers)(scope, receive, send)

    async def _codeload(self, request: Request, scope: dict, receive: Any, send: Any) -> None:
        """codeload.github.com's part: the archive an API redirect points to (not a REST operation)."""
        with self._lock:
            archive = Endpoints(self.spec, self.world).codeload_tarball(request.url.path)
            status = 404 if archive is None else 200
            self.requests.append(RecordedRequest(
                method=request.method, path=request.url.path, query={}, json=None, headers=dict(request.headers),
                status=status, timestamp=time.time(), operation_id=None,
            ))
        headers = {"content-type": "application/x-gzip"}
        await Response(archive or b"Not Found", status_code=status, headers=headers)(scope, receive, send)

    def _handle(self, request: Request, raw: bytes) -> tuple[Reply, str | None, Any]:
        method, path = request.method, request.url.path
        query = parse_qs(request.url.query, keep_blank_values=True)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self.violations.append(Violation("request", method, path, ["body is not JSON"]))
            return error(400, "Problems parsing JSON"), None, raw.decode(errors="replace")
        started = time.perf_counter()
        match = self.spec.match(method, path)
        if match is None:
            problems = [f"no operation {method} {path} in GitHub's REST description"]
        else:
            problems = match.operation.request_errors(match.path_params, query, body)
        self.validation_seconds += time.perf_counter() - started
        if problems:
            self.violations.append(Violation("request", method, path, problems))
            return error(422, "Invalid request.\n\n" + "\n".join(problems)), None, body
        operation = match.operation
        injected = self._take_injection(method, path)
        if injected is not None:
            return injected, operation.operation_id, body
        call = Call(match.path_params, query, body, self.url)
        refused = self._authenticate(request, operation.operation_id, call)
        if refused is not None:
            return refused, operation.operation_id, body
        endpoints = Endpoints(self.spec, self.world)
        if operation.operation_id == "apps/create-installation-access-token":
            reply = endpoints.issue_token(call, call.int_param("installation_id"))
        elif operation.operation_id in endpoints.handlers:
            reply = endpoints.handlers[operation.operation_id](call)
        else:
            self.violations.append(Violation("request", method, path, [
                f"{operation.operation_id} is valid but the fake does not implement it"]))
            reply = not_found()
        started = time.perf_counter()
        problems = operation.response_errors(reply.status, reply.body)
        self.validation_seconds += time.perf_counter() - started
        if problems:
            self.violations.append(Violation("response", method, path, problems))
        return reply, operation.operation_id, body

    def _take_injection(self, method: str, path: str) -> Reply | None:
        for injection in self.injections:
            if injection.remaining > 0 and injection.method == method and injection.path.search(path):
                injection.remaining -= 1
                return Reply(injection.status, injection.body, dict(injection.headers))
        return None

    def _authenticate(self, request: Request, operation_id: str, call: Call) -> Reply | None:
        """The App JWT for the App's own endpoints (`/app…`: access tokens, webhook deliveries); an unexpired
        installation token covering the repo elsewhere."""
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        if request.url.path == "/app" or request.url.path.startswith("/app/"):
            if scheme.lower() != "bearer":
                return error(401, "A JSON web token could not be decoded")
            problem = self._jwt_problem(credential)
            if problem:
                return error(401, problem)
            if (operation_id == "apps/create-installation-access-token"
                    and call.int_param("installation_id") not in self.world.installations):  # fmt: skip
                return not_found()
            return None
        if scheme.lower() not in ("token", "bearer") or credential not in self.world.tokens:
            return error(401, "Bad credentials")
        installation_id, expires = self.world.tokens[credential]
        if expires <= time.time():
            return error(401, "Bad credentials")
        if "owner" in call.params and "repo" in call.params:
            repo = self.world.repo(call.params["owner"], call.params["repo"])
            if repo is None or repo.installation_id != installation_id:
                return not_found()
        return None

    def _jwt_problem(self, token: str) -> str | None:
        """Why GitHub would refuse this App JWT, or None: RS256 by the App's key, `iss` = app id, sane times."""
        if self.app is None:
            return "no GitHub App configured on the fake (call configure_app)"
        try:
            claims = jwt.decode(token, self.app.public_key_pem, algorithms=["RS256"],
                                options={"require": ["iat", "exp", "iss"], "verify_iss": False},
                                leeway=CLOCK_DRIFT_SECONDS)
        except jwt.PyJWTError as problem:
            return f"A JSON web token could not be decoded: {problem}"
        if str(claims["iss"]) != str(self.app.app_id):
            return f"'Issuer' claim ('iss') must be the App id {self.app.app_id}, not {claims['iss']}"
        now = time.time()
        if claims["iat"] > now + CLOCK_DRIFT_SECONDS:
            return "'Issued at' claim ('iat') must be an Integer representing a time in the past"
        if claims["exp"] > now + JWT_MAX_LIFETIME_SECONDS + CLOCK_DRIFT_SECONDS:
            return "'Expiration time' claim ('exp') is too far in the future"
        return None

    def _headers(self, reply: Reply) -> dict[str, str]:
        used = len(self.requests) + 1
        headers = {
            "content-type": "application/json; charset=utf-8",
            "x-github-api-version-selected": "2022-11-28",
            "x-github-media-type": "github.v3; format=json",
            "x-github-request-id": secrets.token_hex(4).upper() + ":" + secrets.token_hex(6).upper(),
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": str(max(RATE_LIMIT - used, 0)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
        }
        headers.update({key.lower(): value for key, value in reply.headers.items()})
        return headers


class _NotifyingServer(uvicorn.Server):
    """uvicorn.Server that sets an event once it listens, so `start()` waits on that and not a sleep."""

    def __init__(self, config: uvicorn.Config, started: threading.Event):
        super().__init__(config)
        self._started = started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._started.set()
