"""The faked operations, keyed by GitHub's operationId; bodies are GitHub's own examples adapted to the state."""

from __future__ import annotations

import base64
import copy
import io
import json
import tarfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Callable
from urllib.parse import urlencode

import httpx

from tests.github_api.git import FileDiff
from tests.github_api.spec import GitHubRestSpec
from tests.github_api.state import (
    Annotation,
    CheckRun,
    HookDelivery,
    IssueComment,
    PullRequestState,
    Repo,
    Review,
    ReviewComment,
    World,
)
from tests.github_api.webhooks import sign

APP_SLUG = "codi-test"
BOT_LOGIN = f"{APP_SLUG}[bot]"
"""The login GitHub gives the App's comments and reviews: its slug and `[bot]`."""
CODELOAD_PREFIX = "/_codeload/"
"""Where the fake serves what codeload.github.com serves: archives, outside the REST API."""
BODY_LIMIT = 65536
TOKEN_LIFETIME_SECONDS = 3600
_DOCS = "https://docs.github.com/rest"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One validated request, as a handler sees it."""

    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    base_url: str

    def int_param(self, name: str) -> int:
        return int(self.params[name])

    def query_int(self, name: str, default: int) -> int:
        return int(self.query[name][-1]) if name in self.query else default


def error(status: int, message: str, errors: list | None = None) -> Reply:
    """GitHub's error body: `message`, `documentation_url`, `status`, and `errors` for 422s."""
    body: dict[str, Any] = {"message": message, "documentation_url": _DOCS, "status": str(status)}
    if errors is not None:
        body["errors"] = errors
    return Reply(status, body)


def not_found() -> Reply:
    return error(404, "Not Found")


class Endpoints:
    """Handlers for the operations a GitHub App reviewer uses; `handlers` maps operationId to each."""

    def __init__(self, spec: GitHubRestSpec, world: World):
        self.spec = spec
        self.world = world
        self.handlers: dict[str, Callable[[Call], Reply]] = {
            "pulls/get": self.get_pull,
            "apps/get-authenticated": self.get_app,
            "pulls/list-files": self.list_pull_files,
            "repos/get-content": self.get_content,
            "checks/create": self.create_check_run,
            "checks/update": self.update_check_run,
            "pulls/create-review": self.create_review,
            "pulls/list-reviews": self.list_reviews,
            "pulls/list-review-comments": self.list_review_comments,
            "pulls/delete-review-comment": self.delete_review_comment,
            "issues/list-comments": self.list_issue_comments,
            "issues/create-comment": self.create_issue_comment,
            "issues/update-comment": self.update_issue_comment,
            "reactions/create-for-issue-comment": self.react_to_issue_comment,
            "repos/get-collaborator-permission-level": self.get_permission,
            "git/get-ref": self.get_ref,
            "git/get-commit": self.get_commit,
            "git/create-blob": self.create_blob,
            "git/create-tree": self.create_tree,
            "git/create-commit": self.create_commit,
            "git/update-ref": self.update_ref,
            "repos/download-tarball-archive": self.download_tarball,
            "apps/list-webhook-deliveries": self.list_hook_deliveries,
            "apps/redeliver-webhook-delivery": self.redeliver_hook_delivery,
        }

    # -- shared shapes -------------------------------------------------------------------------

    def example(self, operation_id: str, status: str, index: int = 0) -> Any:
        return self.spec.by_id[operation_id].example(status, index)

    def user(self, template: dict[str, Any], login: str, user_id: int, kind: str = "User") -> dict[str, Any]:
        """An example `simple-user` renamed to `login`, its URLs included."""
        old = template["login"]
        for key, value in list(template.items()):
            if isinstance(value, str) and f"/{old}" in value:
                template[key] = value.replace(f"/{old}", f"/{login}")
        template.update(login=login, id=user_id, type=kind, node_id=f"U_{user_id}")
        return template

    def user_for(self, template: dict[str, Any], login: str) -> dict[str, Any]:
        kind = "Bot" if login.endswith("[bot]") else "User"
        return self.user(template, login, abs(hash(login)) % 10_000_000 + 1, kind)

    def rename_repo(self, node: dict[str, Any], repo: Repo) -> dict[str, Any]:
        """Point an example repository at `repo`: names, owner, id, URLs."""
        old_full = node["full_name"]
        for key, value in list(node.items()):
            if isinstance(value, str) and old_full in value:
                node[key] = value.replace(old_full, repo.full_name)
        node.update(id=repo.id, node_id=f"R_{repo.id}", name=repo.name, full_name=repo.full_name)
        if "default_branch" in node:
            node["default_branch"] = repo.default_branch
        if isinstance(node.get("owner"), dict):
            self.user(node["owner"], repo.owner, repo.id + 7)
        return node

    def api(self, call: Call, repo: Repo, tail: str) -> str:
        return f"{call.base_url}/repos/{repo.full_name}/{tail}"

    def paginate(self, call: Call, items: list[Any], path: str) -> Reply:
        """One page of `items` and GitHub's `Link` header (first/prev/next/last as they apply)."""
        per_page = min(max(call.query_int("per_page", 30), 1), 100)
        page = max(call.query_int("page", 1), 1)
        last = max((len(items) + per_page - 1) // per_page, 1)
        chunk = items[(page - 1) * per_page : page * per_page]
        links = []

        def url(number: int) -> str:
            return f"{call.base_url}{path}?{urlencode({'per_page': per_page, 'page': number})}"

        if page > 1:
            links += [f'<{url(page - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
        if page < last:
            links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
        return Reply(200, chunk, {"link": ", ".join(links)} if links else {})

    def repo_of(self, call: Call) -> Repo | None:
        return self.world.repo(call.params["owner"], call.params["repo"])

    def pull_of(self, call: Call) -> PullRequestState | None:
        repo = self.repo_of(call)
        if repo is None:
            return None
        return self.world.pulls.get((repo.full_name.lower(), call.int_param("pull_number")))

    def resolve_ref(self, repo: Repo, ref: str | None) -> str | None:
        """A branch, `heads/…`, `refs/heads/…` or commit SHA → commit SHA."""
        ref = ref or repo.default_branch
        for prefix in ("refs/heads/", "heads/"):
            if ref.startswith(prefix) and ref[len(prefix) :] in repo.branches:
                return repo.branches[ref[len(prefix) :]]
        if ref in repo.branches:
            return repo.branches[ref]
        return ref if ref in self.world.git.commits else None

    # -- pull requests -------------------------------------------------------------------------

    def pull_body(self, call: Call, pull: PullRequestState) -> dict[str, Any]:
        body = self.example("pulls/get", "200")
        repo = pull.base_repo
        files = self.world.pull_files(pull)
        body.update(
            id=pull.id,
            node_id=f"PR_{pull.id}",
            number=pull.number,
            title=pull.title,
            state="open",
            draft=pull.draft,
            maintainer_can_modify=pull.maintainer_can_modify,
            url=self.api(call, repo, f"pulls/{pull.number}"),
            html_url=f"https://github.com/{repo.full_name}/pull/{pull.number}",
            requested_teams=[],
            labels=[],
            merged=False,
            merged_at=None,
            closed_at=None,
            additions=sum(f.additions for f in files),
            deletions=sum(f.deletions for f in files),
            changed_files=len(files),
        )
        self.user_for(body["user"], pull.author)
        for side, branch_repo, ref, sha in (
            ("head", pull.head_repo, pull.head_ref, pull.head_sha),
            ("base", pull.base_repo, pull.base_ref, pull.base_sha),
        ):
            part = body[side]
            part.update(ref=ref, sha=sha, label=f"{branch_repo.owner}:{ref}")
            self.rename_repo(part["repo"], branch_repo)
            part["repo"]["fork"] = side == "head" and pull.is_fork
            self.user(part["user"], branch_repo.owner, branch_repo.id + 7)
        return body

    def get_pull(self, call: Call) -> Reply:
        pull = self.pull_of(call)
        return Reply(200, self.pull_body(call, pull)) if pull else not_found()

    def diff_entry(self, call: Call, pull: PullRequestState, diff: FileDiff) -> dict[str, Any]:
        repo = pull.head_repo
        return {
            "sha": diff.blob_sha,
            "filename": diff.filename,
            "status": diff.status,
            "additions": diff.additions,
            "deletions": diff.deletions,
            "changes": diff.additions + diff.deletions,
            "blob_url": f"https://github.com/{repo.full_name}/blob/{pull.head_sha}/{diff.filename}",
            "raw_url": f"https://github.com/{repo.full_name}/raw/{pull.head_sha}/{diff.filename}",
            "contents_url": self.api(call, repo, f"contents/{diff.filename}?ref={pull.head_sha}"),
            "patch": diff.patch,
        }

    def list_pull_files(self, call: Call) -> Reply:
        pull = self.pull_of(call)
        if pull is None:
            return not_found()
        entries = [self.diff_entry(call, pull, diff) for diff in self.world.pull_files(pull)]
        return self.paginate(call, entries, f"/repos/{pull.base_repo.full_name}/pulls/{pull.number}/files")

    # -- contents ------------------------------------------------------------------------------

    def download_tarball(self, call: Call) -> Reply:
        """GitHub answers 302 to codeload, which serves `<owner>-<repo>-<sha7>/…` as tar.gz (`codeload_tarball`)."""
        repo = self.repo_of(call)
        sha = self.resolve_ref(repo, call.params["ref"]) if repo else None
        if repo is None or sha is None:
            return not_found()
        return Reply(302, None, {"location": f"{call.base_url}{CODELOAD_PREFIX}{repo.full_name}/legacy.tar.gz/{sha}"})

    def codeload_tarball(self, path: str) -> bytes | None:
        """The tar.gz behind a codeload URL: the commit's files under one top folder, as GitHub makes it."""
        owner, name, _, sha = path.removeprefix(CODELOAD_PREFIX).split("/", 3)
        repo = self.world.repo(owner, name)
        commit = self.world.git.commits.get(sha)
        if repo is None or commit is None:
            return None
        buffer = io.BytesIO()
        top = f"{owner}-{name}-{sha[:7]}"
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for file_path, content in sorted(commit.files.items()):
                data = content.encode("utf-8", "surrogateescape")
                member = tarfile.TarInfo(f"{top}/{file_path}")
                member.size, member.mode = len(data), 0o644
                archive.addfile(member, io.BytesIO(data))
        return buffer.getvalue()

    def get_content(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        ref = call.query.get("ref", [None])[-1]
        sha = self.resolve_ref(repo, ref) if repo else None
        if sha is None:
            return error(404, f"No commit found for the ref {ref}")
        files = self.world.git.commits[sha].files
        path = call.params["path"].strip("/")
        if path in files:
            content = files[path]
            encoded = base64.b64encode(content.encode()).decode()
            body = self.example("repos/get-content", "200", 0)
            blob = self.world.git.add_blob(content)
            url = self.api(call, repo, f"contents/{path}?ref={ref or repo.default_branch}")
            body.update(
                name=path.rsplit("/", 1)[-1],
                path=path,
                sha=blob,
                size=len(content.encode()),
                content="\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n",
                url=url,
                git_url=self.api(call, repo, f"git/blobs/{blob}"),
                html_url=f"https://github.com/{repo.full_name}/blob/{ref or repo.default_branch}/{path}",
                download_url=f"https://raw.githubusercontent.com/{repo.full_name}/{sha}/{path}",
            )
            body["_links"] = {"self": url, "git": body["git_url"], "html": body["html_url"]}
            return Reply(200, body)
        return not_found()

    # -- check runs ----------------------------------------------------------------------------

    def check_run_body(self, call: Call, repo: Repo, run: CheckRun) -> dict[str, Any]:
        body = self.example("checks/create", "201", 0)
        url = self.api(call, repo, f"check-runs/{run.id}")
        body.update(
            id=run.id,
            node_id=f"CR_{run.id}",
            name=run.name,
            head_sha=run.head_sha,
            status=run.status,
            conclusion=run.conclusion,
            started_at=run.started_at,
            completed_at=run.completed_at,
            external_id=run.external_id,
            details_url=run.details_url,
            url=url,
            html_url=f"https://github.com/{repo.full_name}/runs/{run.id}",
            output={
                "title": run.title,
                "summary": run.summary,
                "text": run.text,
                "annotations_count": len(run.annotations),
                "annotations_url": f"{url}/annotations",
            },
            pull_requests=[
                self.minimal_pull(call, pull)
                for pull in self.world.pulls.values()
                if pull.base_repo is repo and pull.head_sha == run.head_sha
            ],
        )
        return body

    def minimal_pull(self, call: Call, pull: PullRequestState) -> dict[str, Any]:
        def side(repo: Repo, ref: str, sha: str) -> dict[str, Any]:
            return {"ref": ref, "sha": sha, "repo": {"id": repo.id, "url": self.api(call, repo, "")[:-1],
                                                    "name": repo.name}}

        return {
            "id": pull.id,
            "number": pull.number,
            "url": self.api(call, pull.base_repo, f"pulls/{pull.number}"),
            "head": side(pull.head_repo, pull.head_ref, pull.head_sha),
            "base": side(pull.base_repo, pull.base_ref, pull.base_sha),
        }

    def apply_check_fields(self, run: CheckRun, body: dict[str, Any]) -> Reply | None:
        """Copy a create/update body onto `run`; a 422 when GitHub would refuse it."""
        for key in ("name", "details_url", "external_id", "started_at", "completed_at", "status", "conclusion"):
            if key in body:
                setattr(run, key, body[key])
        if "conclusion" in body:
            run.status = "completed"
        if run.status == "completed" and run.conclusion is None:
            return error(422, "Invalid request.", [{"resource": "CheckRun", "field": "conclusion", "code": "missing"}])
        if run.status == "completed" and run.completed_at is None:
            run.completed_at = now_iso()
        if "actions" in body:
            run.actions = body["actions"]
        output = body.get("output")
        if output:
            run.title = output.get("title", run.title)
            run.summary = output.get("summary", run.summary)
            run.text = output.get("text", run.text)
            batch = [Annotation(**annotation) for annotation in output.get("annotations", [])]
            run.annotations.extend(batch)
            run.annotation_batches.append(len(batch))
        return None

    def create_check_run(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        if repo is None:
            return not_found()
        if call.body["head_sha"] not in self.world.git.commits:
            return error(422, "No commit found for SHA: " + call.body["head_sha"])
        run = CheckRun(
            id=next(self.world.ids),
            name=call.body["name"],
            head_sha=call.body["head_sha"],
            status="queued",
            conclusion=None,
            started_at=now_iso(),
            completed_at=None,
        )
        refused = self.apply_check_fields(run, call.body)
        if refused:
            return refused
        self.world.check_runs[run.id] = (repo.full_name, run)
        return Reply(201, self.check_run_body(call, repo, run))

    def update_check_run(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        found = self.world.check_runs.get(call.int_param("check_run_id"))
        if repo is None or found is None or found[0] != repo.full_name:
            return not_found()
        run = found[1]
        refused = self.apply_check_fields(run, call.body)
        return refused or Reply(200, self.check_run_body(call, repo, run))

    # -- reviews and review comments -----------------------------------------------------------

    def review_body(self, call: Call, repo: Repo, review: Review) -> dict[str, Any]:
        body = self.example("pulls/create-review", "200")
        pull_url = self.api(call, repo, f"pulls/{review.pull_number}")
        html = f"https://github.com/{repo.full_name}/pull/{review.pull_number}#pullrequestreview-{review.id}"
        body.update(
            id=review.id,
            node_id=f"PRR_{review.id}",
            body=review.body,
            state=review.state,
            commit_id=review.commit_id,
            submitted_at=review.submitted_at,
            html_url=html,
            pull_request_url=pull_url,
            author_association="NONE",
            _links={"html": {"href": html}, "pull_request": {"href": pull_url}},
        )
        self.user_for(body["user"], review.author)
        return body

    def review_comment_body(self, call: Call, repo: Repo, comment: ReviewComment) -> dict[str, Any]:
        body = self.example("pulls/list-review-comments", "200")[0]
        url = self.api(call, repo, f"pulls/comments/{comment.id}")
        html = f"https://github.com/{repo.full_name}/pull/{comment.pull_number}#discussion_r{comment.id}"
        pull_url = self.api(call, repo, f"pulls/{comment.pull_number}")
        body.update(
            id=comment.id,
            node_id=f"PRRC_{comment.id}",
            url=url,
            html_url=html,
            pull_request_url=pull_url,
            pull_request_review_id=comment.review_id,
            diff_hunk=comment.diff_hunk,
            path=comment.path,
            position=comment.position,
            original_position=comment.position,
            commit_id=comment.commit_id,
            original_commit_id=comment.commit_id,
            body=comment.body,
            created_at=comment.created_at,
            updated_at=comment.created_at,
            author_association="NONE",
            line=comment.line,
            original_line=comment.line,
            side=comment.side,
            start_line=comment.start_line,
            original_start_line=comment.start_line,
            start_side=comment.start_side,
            subject_type="line",
            _links={"self": {"href": url}, "html": {"href": html}, "pull_request": {"href": pull_url}},
        )
        if comment.in_reply_to_id is None:
            body.pop("in_reply_to_id", None)
        else:
            body["in_reply_to_id"] = comment.in_reply_to_id
        self.user_for(body["user"], comment.author)
        return body

    def place_comment(self, files: dict[str, FileDiff], draft: dict[str, Any]) -> tuple[int, str, int | None, str | None, FileDiff] | str:
        """Where a draft review comment lands (line, side, start line, start side, file), or GitHub's reason not."""
        diff = files.get(draft["path"])
        if diff is None:
            return "Path could not be resolved"
        if "line" in draft:
            line, side = draft["line"], draft.get("side", "RIGHT")
        elif "position" in draft:
            placed = diff.position_line(draft["position"])
            if placed is None:
                return "Position could not be resolved"
            line, side = placed
        else:
            return "Line could not be resolved"
        hunk = diff.hunk_of(line, side)
        if hunk is None:
            return "Line could not be resolved"
        start_line = draft.get("start_line")
        start_side = draft.get("start_side", side) if start_line is not None else None
        if start_line is not None:
            if start_line >= line:
                return "Start line must precede the end line"
            start_hunk = diff.hunk_of(start_line, start_side)
            if start_hunk is None:
                return "Start line could not be resolved"
            if start_hunk != hunk:
                return "Start line must be part of the same hunk as the line"
        return line, side, start_line, start_side, diff

    def create_review(self, call: Call) -> Reply:
        pull = self.pull_of(call)
        if pull is None:
            return not_found()
        event = call.body.get("event")
        drafts = call.body.get("comments", [])
        body = call.body.get("body", "")
        if event in ("COMMENT", "REQUEST_CHANGES") and not body and not drafts:
            return error(422, "Unprocessable Entity", [f"Body is required for event {event}"])
        files = {diff.filename: diff for diff in self.world.pull_files(pull)}
        placed = [self.place_comment(files, draft) for draft in drafts]
        reasons = [reason for reason in placed if isinstance(reason, str)]
        if reasons:
            return error(422, "Unprocessable Entity", reasons)
        state = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}.get(
            event or "", "PENDING"
        )
        commit_id = call.body.get("commit_id", pull.head_sha)
        review = Review(next(self.world.ids), pull.number, commit_id, state, body, BOT_LOGIN, now_iso())
        store = self.world.review_comments.setdefault(pull.base_repo.full_name, {})
        for draft, (line, side, start_line, start_side, diff) in zip(drafts, placed):
            comment = ReviewComment(
                id=next(self.world.ids),
                pull_number=pull.number,
                review_id=review.id,
                path=diff.filename,
                line=line,
                side=side,
                start_line=start_line,
                start_side=start_side,
                body=draft["body"],
                commit_id=commit_id,
                author=BOT_LOGIN,
                diff_hunk=diff.diff_hunk(line, side),
                position=diff.position_of(line, side),
                created_at=review.submitted_at,
            )
            review.comments.append(comment)
            store[comment.id] = comment
        self.world.reviews.setdefault(pull.base_repo.full_name, []).append(review)
        return Reply(200, self.review_body(call, pull.base_repo, review))

    def list_reviews(self, call: Call) -> Reply:
        pull = self.pull_of(call)
        if pull is None:
            return not_found()
        repo = pull.base_repo
        items = [self.review_body(call, repo, r) for r in self.world.reviews.get(repo.full_name, [])
                 if r.pull_number == pull.number]
        return self.paginate(call, items, f"/repos/{repo.full_name}/pulls/{pull.number}/reviews")

    def list_review_comments(self, call: Call) -> Reply:
        pull = self.pull_of(call)
        if pull is None:
            return not_found()
        repo = pull.base_repo
        comments = self.world.review_comments.get(repo.full_name, {}).values()
        items = [self.review_comment_body(call, repo, c) for c in comments if c.pull_number == pull.number]
        return self.paginate(call, items, f"/repos/{repo.full_name}/pulls/{pull.number}/comments")

    def delete_review_comment(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        comments = self.world.review_comments.get(repo.full_name, {}) if repo else {}
        if comments.pop(call.int_param("comment_id"), None) is None:
            return not_found()
        return Reply(204)

    # -- issue comments ------------------------------------------------------------------------

    def issue_comment_body(self, call: Call, repo: Repo, comment: IssueComment) -> dict[str, Any]:
        body = self.example("issues/create-comment", "201")
        body.update(
            id=comment.id,
            node_id=f"IC_{comment.id}",
            url=self.api(call, repo, f"issues/comments/{comment.id}"),
            html_url=f"https://github.com/{repo.full_name}/pull/{comment.issue_number}#issuecomment-{comment.id}",
            issue_url=self.api(call, repo, f"issues/{comment.issue_number}"),
            body=comment.body,
            created_at=comment.created_at,
            updated_at=comment.updated_at,
            author_association="NONE" if comment.author == BOT_LOGIN else "COLLABORATOR",
        )
        self.user_for(body["user"], comment.author)
        return body

    def issue_exists(self, repo: Repo, number: int) -> bool:
        return (repo.full_name.lower(), number) in self.world.pulls

    def list_issue_comments(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        number = call.int_param("issue_number")
        if repo is None or not self.issue_exists(repo, number):
            return not_found()
        comments = self.world.issue_comments.get(repo.full_name, {}).values()
        items = [self.issue_comment_body(call, repo, c) for c in comments if c.issue_number == number]
        return self.paginate(call, items, f"/repos/{repo.full_name}/issues/{number}/comments")

    def body_too_long(self, body: str) -> Reply | None:
        if len(body) > BODY_LIMIT:
            return error(422, "Validation Failed", [
                {"resource": "IssueComment", "code": "custom", "field": "body",
                 "message": f"body is too long (maximum is {BODY_LIMIT} characters)"}])
        return None

    def create_issue_comment(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        number = call.int_param("issue_number")
        if repo is None or not self.issue_exists(repo, number):
            return not_found()
        refused = self.body_too_long(call.body["body"])
        if refused:
            return refused
        stamp = now_iso()
        comment = IssueComment(next(self.world.ids), number, call.body["body"], BOT_LOGIN, stamp, stamp)
        self.world.issue_comments.setdefault(repo.full_name, {})[comment.id] = comment
        return Reply(201, self.issue_comment_body(call, repo, comment))

    def find_issue_comment(self, call: Call) -> tuple[Repo, IssueComment] | None:
        repo = self.repo_of(call)
        comment = self.world.issue_comments.get(repo.full_name, {}).get(call.int_param("comment_id")) if repo else None
        return (repo, comment) if comment else None

    def update_issue_comment(self, call: Call) -> Reply:
        found = self.find_issue_comment(call)
        if found is None:
            return not_found()
        repo, comment = found
        refused = self.body_too_long(call.body["body"])
        if refused:
            return refused
        comment.body = call.body["body"]
        comment.updated_at = now_iso()
        return Reply(200, self.issue_comment_body(call, repo, comment))

    def react_to_issue_comment(self, call: Call) -> Reply:
        found = self.find_issue_comment(call)
        if found is None:
            return not_found()
        content = call.body["content"]
        found[1].reactions.append(content)
        body = self.example("reactions/create-for-issue-comment", "201")
        body.update(id=next(self.world.ids), content=content, created_at=now_iso())
        self.user_for(body["user"], BOT_LOGIN)
        return Reply(201, body)

    # -- permissions ---------------------------------------------------------------------------

    def get_permission(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        if repo is None:
            return not_found()
        username = call.params["username"]
        role = repo.permissions.get(username.lower(), "none")
        body = self.example("repos/get-collaborator-permission-level", "200")
        # GitHub reports the legacy permission (maintain → write, triage → read) next to the role.
        body["permission"] = {"maintain": "write", "triage": "read"}.get(role, role)
        body["role_name"] = role
        self.user_for(body["user"], username)
        body["user"]["role_name"] = role
        return Reply(200, body)

    # -- git data ------------------------------------------------------------------------------

    def ref_body(self, call: Call, repo: Repo, branch: str) -> dict[str, Any]:
        sha = repo.branches[branch]
        return {
            "ref": f"refs/heads/{branch}",
            "node_id": f"REF_{repo.id}_{branch}",
            "url": self.api(call, repo, f"git/refs/heads/{branch}"),
            "object": {"type": "commit", "sha": sha, "url": self.api(call, repo, f"git/commits/{sha}")},
        }

    def branch_of(self, call: Call) -> tuple[Repo, str] | None:
        repo = self.repo_of(call)
        ref = call.params["ref"].removeprefix("refs/")
        if repo is None or not ref.startswith("heads/") or ref[len("heads/") :] not in repo.branches:
            return None
        return repo, ref[len("heads/") :]

    def get_ref(self, call: Call) -> Reply:
        found = self.branch_of(call)
        return Reply(200, self.ref_body(call, *found)) if found else not_found()

    def commit_body(self, call: Call, repo: Repo, sha: str) -> dict[str, Any]:
        commit = self.world.git.commits[sha]
        body = self.example("git/get-commit", "200")
        person = {"date": commit.date, "name": "codi test", "email": "codi@example.com"}
        body.update(
            sha=sha,
            node_id=f"C_{sha}",
            url=self.api(call, repo, f"git/commits/{sha}"),
            html_url=f"https://github.com/{repo.full_name}/commit/{sha}",
            author=person,
            committer=dict(person),
            message=commit.message,
            tree={"sha": commit.tree_sha, "url": self.api(call, repo, f"git/trees/{commit.tree_sha}")},
            parents=[
                {"sha": parent, "url": self.api(call, repo, f"git/commits/{parent}"),
                 "html_url": f"https://github.com/{repo.full_name}/commit/{parent}"}
                for parent in commit.parents
            ],
        )
        return body

    def get_commit(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        sha = call.params["commit_sha"]
        if repo is None or sha not in self.world.git.commits:
            return not_found()
        return Reply(200, self.commit_body(call, repo, sha))

    def create_blob(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        if repo is None:
            return not_found()
        content = call.body["content"]
        if call.body.get("encoding") == "base64":
            content = base64.b64decode(content).decode()
        sha = self.world.git.add_blob(content)
        return Reply(201, {"url": self.api(call, repo, f"git/blobs/{sha}"), "sha": sha})

    def create_tree(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        if repo is None:
            return not_found()
        git = self.world.git
        base = call.body.get("base_tree")
        if base is not None and base not in git.trees:
            return error(422, "Invalid request.", [{"resource": "Tree", "field": "base_tree", "code": "invalid"}])
        entries = dict(git.trees[base]) if base else {}
        for item in call.body["tree"]:
            if item.get("type", "blob") != "blob":
                return error(422, "Invalid request.", [{"resource": "Tree", "field": "type", "code": "custom",
                                                        "message": "the fake stores blobs only"}])
            if "content" in item:
                entries[item["path"]] = git.add_blob(item["content"])
            elif item.get("sha") is None:
                entries.pop(item["path"], None)
            elif item["sha"] in git.blobs:
                entries[item["path"]] = item["sha"]
            else:
                return error(422, "Invalid request.", [{"resource": "Tree", "field": "sha", "code": "invalid"}])
        sha = git.add_tree(entries)
        listing = [
            {"path": path, "mode": "100644", "type": "blob", "sha": blob, "size": len(git.blobs[blob].encode()),
             "url": self.api(call, repo, f"git/blobs/{blob}")}
            for path, blob in sorted(entries.items())
        ]
        return Reply(201, {"sha": sha, "url": self.api(call, repo, f"git/trees/{sha}"), "tree": listing,
                           "truncated": False})

    def create_commit(self, call: Call) -> Reply:
        repo = self.repo_of(call)
        if repo is None:
            return not_found()
        git = self.world.git
        if call.body["tree"] not in git.trees:
            return error(422, "Tree SHA does not exist")
        parents = call.body.get("parents", [])
        if any(parent not in git.commits for parent in parents):
            return error(422, "Parent SHA does not exist or is not a commit object")
        commit = git.commit_tree(call.body["tree"], parents, call.body["message"], now_iso())
        return Reply(201, self.commit_body(call, repo, commit.sha))

    def update_ref(self, call: Call) -> Reply:
        found = self.branch_of(call)
        if found is None:
            return error(422, "Reference does not exist")
        repo, branch = found
        sha = call.body["sha"]
        if sha not in self.world.git.commits:
            return error(422, "Object does not exist")
        if not call.body.get("force") and not self.world.git.is_ancestor(repo.branches[branch], sha):
            return error(422, "Update is not a fast forward")
        repo.branches[branch] = sha
        return Reply(200, self.ref_body(call, repo, branch))

    # -- the App -------------------------------------------------------------------------------

    def get_app(self, call: Call) -> Reply:
        """`GET /app` (the JWT was checked by the server): the App, whose slug makes its bot login."""
        body = self.example("apps/get-authenticated", "200")
        body.update(slug=APP_SLUG, name="codi (test)", html_url=f"https://github.com/apps/{APP_SLUG}")
        return Reply(200, body)

    # -- installation tokens -------------------------------------------------------------------

    def issue_token(self, call: Call, installation_id: int) -> Reply:
        """A fresh `ghs_` token for the installation, valid an hour (the JWT was checked by the server)."""
        token = f"ghs_{next(self.world.ids):06d}{int(time.time() * 1000) % 10**9:09d}test"
        expires = time.time() + TOKEN_LIFETIME_SECONDS
        self.world.tokens[token] = (installation_id, expires)
        body = self.example("apps/create-installation-access-token", "201")
        repos = [repo for repo in self.world.repos.values() if repo.installation_id == installation_id]
        template = body["repositories"][0]
        body.update(
            token=token,
            expires_at=datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            permissions={"checks": "write", "contents": "write", "pull_requests": "write", "issues": "write",
                         "metadata": "read"},
            repository_selection="selected",
            repositories=[self.rename_repo(copy.deepcopy(template), repo) for repo in repos],
        )
        return Reply(201, body)

    # -- the App's webhook deliveries ----------------------------------------------------------

    def hook_delivery_item(self, delivery: HookDelivery) -> dict[str, Any]:
        body = self.example("apps/list-webhook-deliveries", "200")[0]
        body.update(
            id=delivery.id,
            guid=delivery.guid,
            delivered_at=datetime.fromtimestamp(delivery.delivered_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            redelivery=delivery.redelivery,
            status=delivery.status,
            status_code=delivery.status_code,
            event=delivery.event,
            action=delivery.action,
            installation_id=delivery.installation_id,
            repository_id=delivery.repository_id,
            throttled_at=None,
        )
        return body

    def list_hook_deliveries(self, call: Call) -> Reply:
        """Newest first, `per_page` at a time; `Link: rel="next"` carries the next page's opaque `cursor`.

        `status=success` keeps status codes 200-399, `failure` 400-599, as documented: a delivery GitHub could
        not make at all (status code 0) is in neither."""
        per_page = min(max(call.query_int("per_page", 30), 1), 100)
        wanted = call.query.get("status", [None])[-1]
        ranges = {"success": range(200, 400), "failure": range(400, 600)}
        ordered = sorted(
            (d for d in self.world.hook_deliveries if wanted is None or d.status_code in ranges[wanted]),
            key=lambda d: (d.delivered_at, d.id),
            reverse=True,
        )
        start = 0
        if "cursor" in call.query:
            cursor = call.query["cursor"][-1]
            start = next((i for i, d in enumerate(ordered) if f"v1_{d.id}" == cursor), -1)
            if start < 0:
                return error(400, f"Invalid cursor: {cursor}")
        page = ordered[start : start + per_page]
        headers = {}
        if start + per_page < len(ordered):
            query = {"per_page": per_page, "cursor": f"v1_{ordered[start + per_page].id}"}
            query |= {"status": wanted} if wanted else {}
            headers["link"] = f'<{call.base_url}/app/hook/deliveries?{urlencode(query)}>; rel="next"'
        return Reply(200, [self.hook_delivery_item(d) for d in page], headers)

    def redeliver_hook_delivery(self, call: Call) -> Reply:
        """GitHub sends the event again under the same guid: a new delivery, marked as a redelivery."""
        found = next((d for d in self.world.hook_deliveries if d.id == call.int_param("delivery_id")), None)
        if found is None:
            return error(422, "Validation Failed",
                         [{"resource": "HookDelivery", "field": "delivery_id", "code": "invalid"}])  # fmt: skip
        if found.payload is not None and self.world.webhook is not None:
            send_webhook(self.world, found.guid, found.event, found.payload, redelivery=True)
        else:
            self.world.hook_deliveries.append(HookDelivery(
                next(self.world.ids), found.guid, found.event, found.action, self.world.redelivery_status_code,
                time.time(), redelivery=True, installation_id=found.installation_id,
                repository_id=found.repository_id,
            ))  # fmt: skip
        return Reply(202, {})


def send_webhook(world: World, guid: str, event: str, payload: bytes, redelivery: bool = False) -> HookDelivery:
    """POST a delivery to the App's webhook URL as GitHub does (signed, 10 s timeout) and record its answer
    (status code 0 when the receiver could not be reached)."""
    assert world.webhook is not None, "configure_webhook first"
    headers = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": guid,
        "X-Hub-Signature-256": sign(payload, world.webhook.secret),
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/fake",
    }
    try:
        status = httpx.post(world.webhook.url, content=payload, headers=headers, timeout=10).status_code
    except httpx.HTTPError:
        status = 0
    body = json.loads(payload)
    delivery = HookDelivery(
        next(world.ids), guid, event, body.get("action"), status, time.time(), redelivery,
        (body.get("installation") or {}).get("id"), (body.get("repository") or {}).get("id"), payload,
    )  # fmt: skip
    world.hook_deliveries.append(delivery)
    return delivery
