"""`codi action`: the step the composite GitHub Action (`action.yml`) runs, posting what the App posts.

It reads the workflow's context (`GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`, `GITHUB_REPOSITORY`, `GITHUB_SHA`,
`GITHUB_API_URL`, `GITHUB_WORKSPACE`, `GITHUB_OUTPUT`, `RUNNER_TEMP`) and signs in with the workflow's token
(`GITHUB_TOKEN`) instead of the App's installation tokens: the worker's own gateway, renderers and posting
steps do the rest, so the comments carry the same markers and a run on a later push edits the summary and
posts only findings not yet commented.

- `pull_request` / `pull_request_target`: the pull request's changed Dockerfiles at its head commit (the
  pull request's files and their patches from the API, as the App reads them), linted with the
  workspace's configuration; `--reporter github-pr-review` posts review comments with suggestions, the
  summary comment (with the optimiser's candidates) and a check run with annotations; `github-pr-check`
  the check run only; `sarif` nothing.
- any other event (`push`, `workflow_dispatch`, `schedule`): the workspace's Dockerfiles, a check run with
  annotations on `GITHUB_SHA` (no pull request to comment on).

SARIF (for `github/codeql-action/upload-sarif`) and the `--format` report are written after linting and
before posting (a path that cannot be written stops the step before anything is posted); `findings`,
`sarif-file` and `exit-code` go to `GITHUB_OUTPUT` at the end, whether posting succeeded or not.
"""

from __future__ import annotations

import argparse
import asyncio
import fnmatch
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the worker's modules import githubkit, arq and SQLAlchemy: only `codi action` pays for them
    from codi.comments.candidates import OptimizedFile
    from codi.comments.check_run import CheckRunReport
    from codi.comments.summary import SummarySection
    from codi.pipeline.config import LintConfig
    from codi.pipeline.findings import Finding
    from codi.pipeline.lint import LintResult
    from codi.pipeline.measured import MeasuredBuilds
    from codi.pipeline.review import ChangedFile, FileReview
    from codi.webhooks.jobs import RepoRef, ReviewJob
    from codi.webhooks.payloads import PullRequest
    from codi.worker.github import GitHubGateway

EXIT_CLEAN = 0
"""No reported finding reaches the failure threshold (or `--no-fail`), and everything asked was posted."""
EXIT_FINDINGS = 1
"""A reported finding reaches the failure threshold; everything asked was posted."""
EXIT_BAD_INPUT = 2
"""The workflow's context or an option is unusable (no or malformed event file, missing variable, bad config):
nothing was linted or posted."""
EXIT_GITHUB_FAILED = 3
"""GitHub refused or failed a request (a read-only token, missing permissions, an outage): the SARIF file and
the outputs were written; what was posted before the failure stays."""

REPORTERS = ("github-pr-review", "github-pr-check", "sarif")
FILTER_MODES = ("added", "diff_context", "file", "nofilter")
PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})
WORKFLOW_TOKEN_LOGIN = "github-actions[bot]"
"""Who the workflow token's comments are by: only that author's comments are codi's to edit or delete."""
REVIEW_REASONS = frozenset({"opened", "synchronize", "reopened", "ready_for_review"})
OVERRIDE_LEVELS = ("error", "warning", "info", "style")


class ActionInputError(Exception):
    """The workflow's context or an option cannot be used; the message says which and why."""


@dataclass(frozen=True)
class WorkflowContext:
    """What the runner tells a step about the workflow run, from its environment variables."""

    event_name: str
    event: Mapping[str, Any]
    owner: str
    name: str
    sha: str
    api_url: str
    workspace: Path
    output_path: Path | None
    temp: Path
    run_id: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WorkflowContext:
        """Read and check the variables; `ActionInputError` names the first one missing or unusable."""
        event_name = _required(env, "GITHUB_EVENT_NAME")
        repository = _required(env, "GITHUB_REPOSITORY")
        owner, _, name = repository.partition("/")
        if not owner or not name or "/" in name:
            raise ActionInputError(f"GITHUB_REPOSITORY must be owner/name, not {repository!r}")
        workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd())
        if not workspace.is_dir():
            raise ActionInputError(f"GITHUB_WORKSPACE {workspace} is not a directory")
        output = env.get("GITHUB_OUTPUT")
        return cls(
            event_name=event_name,
            event=read_event(Path(_required(env, "GITHUB_EVENT_PATH"))),
            owner=owner,
            name=name,
            sha=_required(env, "GITHUB_SHA"),
            api_url=(env.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
            workspace=workspace,
            output_path=Path(output) if output else None,
            temp=Path(env.get("RUNNER_TEMP") or workspace),
            run_id=env.get("GITHUB_RUN_ID") or "local",
        )

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def pull_request(self) -> PullRequest | None:
        """The pull request of a pull request event (its head, not the merge commit GITHUB_SHA is), read with the
        receiver's payload model; None for any other event."""
        from codi.webhooks.payloads import PayloadError, PullRequest, read_payload

        if self.event_name not in PULL_REQUEST_EVENTS:
            return None
        if not isinstance(self.event.get("pull_request"), dict):
            raise ActionInputError(f"the {self.event_name} event payload has no pull_request object")
        try:
            return read_payload(PullRequest, self.event["pull_request"])
        except PayloadError as error:
            raise ActionInputError(f"the event payload's pull_request is not GitHub's: {error}") from None

    @property
    def action(self) -> str:
        return str(self.event.get("action", ""))


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "")
    if not value:
        raise ActionInputError(f"{name} is not set: `codi action` runs as a step of a GitHub Actions workflow")
    return value


def read_event(path: Path) -> dict[str, Any]:
    """The event's payload (GITHUB_EVENT_PATH): a JSON object."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ActionInputError(f"cannot read the event file {path} (GITHUB_EVENT_PATH): {error.strerror}") from None
    except UnicodeDecodeError:
        raise ActionInputError(f"the event file {path} (GITHUB_EVENT_PATH) is not UTF-8 text") from None
    try:
        payload = json.loads(text)
    except ValueError as error:
        raise ActionInputError(f"the event file {path} (GITHUB_EVENT_PATH) is not JSON: {error}") from None
    if not isinstance(payload, dict):
        kind = type(payload).__name__
        raise ActionInputError(f"the event file {path} (GITHUB_EVENT_PATH) holds {kind}, not an object")
    return payload


def listed(values: Sequence[str] | None) -> list[str]:
    """Repeatable options that also take comma- or space-separated lists (an Action input is one string)."""
    return [item for value in values or () for item in value.replace(",", " ").split()]


@dataclass
class RunProgress:
    """The worker's progress record for one run of the step: a run is not retried, so memory is enough."""

    steps: dict[str, str] = field(default_factory=dict)

    async def get(self, step: str) -> str | None:
        return self.steps.get(step)

    async def record(self, step: str, value: str) -> None:
        self.steps[step] = value


def token_gateway(token: str, login: str, api_url: str) -> GitHubGateway:
    """The worker's gateway (retries, error translation, pagination) signed in with the workflow's token.

    The token stands for one installation (GitHub Actions') on one repository, so every `client()` call
    gets the same client, and the comments' author is `login`, not asked of `GET /app`.
    """
    from githubkit import TokenAuthStrategy

    from codi.worker.github import GitHubGateway

    class WorkflowTokenGateway(GitHubGateway):
        def __init__(self) -> None:
            super().__init__(app_id=0, private_key="", base_url=api_url)
            self._token_client = self._github(TokenAuthStrategy(token))
            self._bot_login = login

        def client(self, installation_id: int) -> Any:
            return self._token_client

    return WorkflowTokenGateway()


# What is linted


def workspace_dockerfiles(workspace: Path, patterns: Sequence[str], recursive: bool) -> list[str]:
    """Workspace-relative paths of the Dockerfiles to lint: the `--dockerfile` globs (each also under every
    folder with `--recursive`), or every Dockerfile `codi analyze` finds in the workspace."""
    from codi.cli.discover import find_dockerfiles

    if not patterns:
        return [path.relative_to(workspace).as_posix() for path in find_dockerfiles([str(workspace)])]
    found: set[str] = set()
    for pattern in patterns:
        for glob in (pattern, f"**/{pattern}") if recursive else (pattern,):
            found.update(p.relative_to(workspace).as_posix() for p in workspace.glob(glob) if p.is_file())
    return sorted(found)


def wanted(path: str, patterns: Sequence[str], recursive: bool) -> bool:
    """Whether a changed file is one the `--dockerfile` globs name (every Dockerfile when there are none)."""
    if not patterns:
        return True
    name = PurePosixPath(path).name
    return any(fnmatch.fnmatchcase(path, p) or (recursive and fnmatch.fnmatchcase(name, p)) for p in patterns)


def reported(review: FileReview, filter_mode: str) -> FileReview:
    """The review with the findings `filter_mode` reports: on lines the pull request adds (`added`), on the
    diff's lines (`diff_context`), or all in the changed files (`file`, `nofilter`)."""
    from codi.pipeline.review import finding_lines

    if filter_mode in ("file", "nofilter"):
        return review
    lines = review.added if filter_mode == "added" else review.commentable
    kept = [finding for finding in review.result.findings if any(line in lines for line in finding_lines(finding))]
    return replace(review, result=replace(review.result, findings=kept))


def lint_config(args: argparse.Namespace, workspace: Path) -> LintConfig:
    """The workspace's configuration (`--config`, else the nearest to the workspace), with the options on top.

    A workflow runs what the pull request's workflow file says, so unlike the App there is no base-branch
    configuration to protect: the workspace's is the repository's, as hadolint-action reads it.
    """
    from codi.cli.main import find_config, load_config
    from codi.pipeline.findings import Severity

    found = workspace / args.config if args.config else find_config(workspace)
    if found is not None and not found.is_file():
        raise ActionInputError(f"--config {args.config}: no such file in the workspace ({found})")
    options = {"config": str(found) if found else None, "ignore": listed(args.ignore),
               "trusted_registry": listed(args.trusted_registry)}
    config = load_config(argparse.Namespace(**{**vars(args), **options}))
    overrides = dict(config.overrides)
    for level in OVERRIDE_LEVELS:
        overrides.update({code: Severity(level) for code in listed(getattr(args, f"override_{level}"))})
    return replace(config, overrides=overrides)


Publish = Callable[[list["LintResult"]], None]
"""Writes the reports of what was linted, before anything is posted."""


def write_outputs(context: WorkflowContext, findings: int, sarif_file: Path, exit_code: int) -> None:
    """`findings`, `sarif-file` and `exit-code` for the workflow's later steps (appended, as GitHub asks)."""
    if context.output_path is None:
        return
    lines = [f"findings={findings}", f"sarif-file={sarif_file}", f"exit-code={exit_code}"]
    with context.output_path.open("a", encoding="utf-8") as output:
        output.write("\n".join(lines) + "\n")


def write_reports(args: argparse.Namespace, results: list[LintResult], sarif_file: Path) -> None:
    """SARIF to `sarif_file` always; the `--format` report to `--output-file` (default: the step's log)."""
    from codi.cli.main import write_text
    from codi.reports import render

    try:
        sarif_file.parent.mkdir(parents=True, exist_ok=True)
        write_text(sarif_file, render("sarif", results))
    except OSError as error:
        raise ActionInputError(f"cannot write the SARIF file {sarif_file}: {error.strerror}") from None
    try:
        stream = open(args.output_file, "w", encoding="utf-8") if args.output_file else sys.stdout
    except OSError as error:
        raise ActionInputError(f"cannot write the --output-file {args.output_file}: {error.strerror}") from None
    try:
        if args.format == "tty":
            from codi.reports.tty import print_results

            print_results(results, stream)
        else:
            stream.write(render(args.format, results))
    finally:
        if stream is not sys.stdout:
            stream.close()


# The run


async def pull_request_run(
    args: argparse.Namespace, context: WorkflowContext, pull: PullRequest, config: LintConfig, publish: Publish
) -> tuple[list[LintResult], bool]:
    """Lint the pull request's changed Dockerfiles at its head, `publish` the results, post as `--reporter` says.

    Returns the reported results and whether every request went through (a GitHub failure is printed)."""
    from codi.cli.main import script_checker
    from codi.comments.candidates import candidate_sections
    from codi.comments.check_run import check_run_report
    from codi.comments.outcomes import skipped_section, with_skipped
    from codi.pipeline.review import review_files
    from codi.webhooks.jobs import RepoRef
    from codi.worker.github import GitHubRejected, GitHubUnavailable
    from codi.worker.jobs import head_dockerfiles

    github = token_gateway(args.github_token, args.comment_author, context.api_url)
    repo = RepoRef(installation_id=0, owner=context.owner, name=context.name)
    patterns = listed(args.dockerfile)
    try:
        try:
            files = await github.pull_request_files(repo, pull.number)
            picked = [file for file in files if wanted(file.path, patterns, args.recursive)]
            changed, skipped = await head_dockerfiles(github, repo, pull.head.sha, picked)
        except (GitHubRejected, GitHubUnavailable) as error:
            print(f"codi: cannot read pull request #{pull.number}: {error}", file=sys.stderr)
            publish([])
            return [], False
        linted = review_files(changed, config, script_checker(config))
        reviews = [reported(review, args.filter_mode) for review in linted]
        results = [review.result for review in reviews]
        if args.filter_mode == "nofilter":
            results += workspace_results(args, context, config, exclude=frozenset(file.path for file in changed))
        report = with_skipped(check_run_report(reviews, config), skipped, len(reviews))
        publish(results)
        if args.reporter == "sarif":
            return results, True
        try:
            if args.reporter == "github-pr-review":
                optimized = await asyncio.to_thread(optimized_files, args, context, changed)
                measured = await asyncio.to_thread(measured_builds, args, context, optimized, config)
                sections = skipped_section(skipped) + candidate_sections(optimized, measured=measured)
                await post_pull_request(github, repo, review_job(repo, pull, context), reviews, sections)
            await post_check_run(github, repo, pull.head.sha, report)
        except (GitHubRejected, GitHubUnavailable) as error:
            print(f"codi: {error}{_permission_hint(error)}", file=sys.stderr)
            return results, False
        return results, True
    finally:
        await github.close()


async def post_pull_request(
    github: GitHubGateway,
    repo: RepoRef,
    job: ReviewJob,
    reviews: Sequence[FileReview],
    sections: Sequence[SummarySection],
) -> None:
    """Review comments for findings not yet commented (those gone deleted), then the one summary comment."""
    from codi.comments.summary import summary_comment
    from codi.worker.jobs import post_review, upsert_summary

    posted = await post_review(github, repo, job, reviews)
    await upsert_summary(github, repo, job.pull_number, summary_comment(reviews, job.head_sha, sections))
    print(f"codi: {posted} new review comment(s) and the summary on #{job.pull_number}", file=sys.stderr)


async def post_check_run(github: GitHubGateway, repo: RepoRef, head_sha: str, report: CheckRunReport) -> None:
    """The "codi" check run on `head_sha`, its annotations in GitHub's batches, completed with the conclusion."""
    from codi.worker.jobs import complete_check_run, start_check_run

    progress = RunProgress()
    check_run = await start_check_run(github, repo, head_sha, progress)
    await complete_check_run(github, repo, check_run, report, progress)
    print(f"codi: check run {check_run} on {head_sha[:7]}: {report.conclusion}, "
          f"{len(report.annotations)} annotation(s)", file=sys.stderr)


def review_job(repo: RepoRef, pull: PullRequest, context: WorkflowContext) -> ReviewJob:
    """The pull request as the worker's posting steps take it (the App's own construction of the job)."""
    from codi.webhooks.routing import review_job as pull_request_review

    reason = context.action if context.action in REVIEW_REASONS else "rerun"
    return pull_request_review(repo, pull, reason, f"workflow-run-{context.run_id}")


def optimized_files(
    args: argparse.Namespace, context: WorkflowContext, changed: Sequence[ChangedFile]
) -> list[OptimizedFile]:
    """The optimiser's candidates per changed Dockerfile, with the workspace as its build context (`--optimize`)."""
    from codi.cli.main import context_texts
    from codi.comments.candidates import OptimizedFile
    from codi.pipeline.optimize.optimizer import optimize

    if not args.optimize:
        return []
    optimized = []
    for file in changed:
        build_context = context_texts(context.workspace / PurePosixPath(file.path).parent)
        optimized.append(OptimizedFile(file.text, optimize(file.path, file.text, build_context)))
    return optimized


def measured_builds(
    args: argparse.Namespace, context: WorkflowContext, optimized: Sequence[OptimizedFile], config: LintConfig
) -> MeasuredBuilds | None:
    """`--build`: originals and candidates built and measured on the runner's engine (DOCKER_HOST); a build that
    cannot start is a note in the summary, not a failed step."""
    from codi.cli.measure import BuildUnavailable, measure_result
    from codi.pipeline.measured import MeasuredBuilds

    if not args.build:
        return None
    reports = {}
    for file in optimized:
        if not file.result.candidates:
            continue
        folder = context.workspace / PurePosixPath(file.result.path).parent
        try:
            reports[file.result.path] = measure_result(file.text, file.result, folder, None, config.smoke)
        except BuildUnavailable as error:
            return MeasuredBuilds(reports, note=f"Nothing more was built: {error}.")
    return MeasuredBuilds(reports)


def workspace_results(
    args: argparse.Namespace, context: WorkflowContext, config: LintConfig, exclude: frozenset[str] = frozenset()
) -> list[LintResult]:
    """The workspace's Dockerfiles linted (`push` events, and `--filter-mode nofilter` beyond the changed ones)."""
    from codi.cli.main import read_dockerfile, script_checker
    from codi.pipeline.lint import SourceFile, lint_files

    found = workspace_dockerfiles(context.workspace, listed(args.dockerfile), args.recursive)
    paths = [path for path in found if path not in exclude]
    sources = [SourceFile(path, read_dockerfile(context.workspace / path)) for path in paths]
    return lint_files(sources, config, script_checker(config))


async def commit_run(
    args: argparse.Namespace, context: WorkflowContext, config: LintConfig, publish: Publish
) -> tuple[list[LintResult], bool]:
    """Any event but a pull request's: the workspace's Dockerfiles, annotations on a check run on GITHUB_SHA."""
    from codi.comments.check_run import check_run_report
    from codi.pipeline.review import FileReview
    from codi.webhooks.jobs import RepoRef
    from codi.worker.github import GitHubRejected, GitHubUnavailable

    results = workspace_results(args, context, config)
    publish(results)
    if args.reporter == "sarif":
        return results, True
    reviews = [FileReview(result.path, result, frozenset(), (), frozenset()) for result in results]
    github = token_gateway(args.github_token, args.comment_author, context.api_url)
    try:
        await post_check_run(github, RepoRef(installation_id=0, owner=context.owner, name=context.name),
                             context.sha, check_run_report(reviews, config))
    except (GitHubRejected, GitHubUnavailable) as error:
        print(f"codi: {error}{_permission_hint(error)}", file=sys.stderr)
        return results, False
    finally:
        await github.close()
    return results, True


def _permission_hint(error: Exception) -> str:
    """What a 403/404 from a workflow token usually means."""
    if getattr(error, "status", None) in (403, 404):
        return (" (the workflow needs `permissions: checks: write, pull-requests: write, contents: read`; pull "
                "requests from forks get a read-only token: use --reporter sarif there)")
    return ""


def run_action(args: argparse.Namespace) -> int:
    """Read the context, lint, write SARIF and the report, post, write the outputs; the exit status says how it went."""
    from codi.cli.runs import record_action
    from codi.storage.runs import RunRecorder

    recorder = RunRecorder("action")
    args.github_token = os.environ.get("GITHUB_TOKEN", "")
    try:
        context = WorkflowContext.from_env(os.environ)
        pull = context.pull_request()
        if not args.github_token and (pull or args.reporter != "sarif"):
            needs = "reading the pull request's diff" if pull else f"--reporter {args.reporter}"
            raise ActionInputError(f"{needs} needs a token: set GITHUB_TOKEN (the github-token input)")
        config = lint_config(args, context.workspace)
        sarif_file = Path(args.sarif_file) if args.sarif_file else context.temp / f"codi-{context.run_id}.sarif"

        def publish(results: list[LintResult]) -> None:
            write_reports(args, results, sarif_file)

        if pull is not None:
            results, posted = asyncio.run(pull_request_run(args, context, pull, config, publish))
        else:
            results, posted = asyncio.run(commit_run(args, context, config, publish))
    except ActionInputError as error:
        print(f"codi: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    findings: list[Finding] = [finding for result in results for finding in result.findings]
    exit_code = EXIT_GITHUB_FAILED if not posted else EXIT_FINDINGS if config.fails(findings) else EXIT_CLEAN
    record_action(recorder, context, pull, results, exit_code)
    write_outputs(context, len(findings), sarif_file, exit_code)
    return exit_code


def _truth(text: str) -> bool:
    """An Action input's boolean ("true"/"false", as `action.yml` passes them)."""
    value = text.strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no", ""):
        raise argparse.ArgumentTypeError(f"expected true or false, not {text!r}")
    return value in ("true", "1", "yes")


def add_parser(sub: argparse._SubParsersAction) -> None:
    """`codi action [options]`: options mirror the Action's inputs; empty values mean the default."""
    parser = sub.add_parser(
        "action",
        help="the GitHub Action's step: lint the workflow's pull request or commit, post and write SARIF",
        description="Run as a step of a GitHub Actions workflow (the composite action.yml does): reads "
        "GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_API_URL, GITHUB_WORKSPACE, "
        "GITHUB_OUTPUT and RUNNER_TEMP, posts with GITHUB_TOKEN, writes SARIF and the outputs findings, "
        "sarif-file and exit-code.",
        epilog=f"exit status: {EXIT_CLEAN} no reported finding at the failure threshold (or --no-fail); "
        f"{EXIT_FINDINGS} a finding at or above it; {EXIT_BAD_INPUT} unusable context or option (no or malformed "
        f"event file, missing variable, bad config): nothing linted or posted; {EXIT_GITHUB_FAILED} GitHub refused "
        "or failed a request: SARIF and outputs written, what was posted before stays.",
    )
    add = parser.add_argument
    add("--dockerfile", action="append", metavar="GLOB",
        help="Dockerfiles to lint, workspace-relative globs (repeatable or comma-separated; default: every "
        "Dockerfile `codi analyze` finds)")
    add("--recursive", type=_truth, default=False, metavar="BOOL", help="also match each glob in every folder")
    add("--config", help="config file, workspace-relative (default: the nearest .codi.yml or .hadolint.yaml)")
    add("--failure-threshold", choices=["error", "warning", "info", "style", "ignore", "none"],
        help="lowest severity that fails the step (default: the config's, else info)")
    add("--ignore", action="append", metavar="CODES", help="rule codes to ignore (repeatable or comma-separated)")
    add("--trusted-registry", action="append", metavar="REGISTRIES", help="trusted registries (DL3026)")
    for level in OVERRIDE_LEVELS:
        add(f"--override-{level}", action="append", metavar="CODES", help=f"rule codes reported as {level}")
    add("--no-fail", type=_truth, default=False, metavar="BOOL", help="exit 0 whatever is found")
    add("--no-shellcheck", action="store_true", help="do not run ShellCheck on RUN scripts")
    add("--format", default="tty", choices=["tty", "json", "sarif", "checkstyle", "gitlab_codeclimate"],
        help="the report written to --output-file (default tty, in the step's log)")
    add("--output-file", help="where the --format report goes (default: standard output)")
    add("--sarif-file", help="where SARIF is written (default: RUNNER_TEMP/codi-GITHUB_RUN_ID.sarif)")
    add("--reporter", default="github-pr-review", choices=REPORTERS,
        help="github-pr-review: review comments, summary and check run; github-pr-check: check run; "
        "sarif: post nothing")
    add("--filter-mode", default="file", choices=FILTER_MODES,
        help="findings reported on a pull request: on added lines, on the diff's lines, in changed files (default), "
        "or also in the workspace's unchanged Dockerfiles")
    add("--optimize", type=_truth, default=True, metavar="BOOL",
        help="optimisation candidates in the summary (default true)")
    add("--build", type=_truth, default=False, metavar="BOOL",
        help="build and measure original and candidates on the runner's engine (DOCKER_HOST; default false)")
    add("--comment-author", default=WORKFLOW_TOKEN_LOGIN, metavar="LOGIN",
        help=f"the login the token posts as: codi edits only its own comments (default {WORKFLOW_TOKEN_LOGIN})")
    parser.set_defaults(handler=run_action)
