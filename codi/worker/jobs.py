"""The arq jobs: review a pull request, answer a `/codi` command, record an installation.

Every job may run more than once: arq re-runs a job whose worker died (after
the in-progress key expires), and `GitHubUnavailable` becomes a deferred
`Retry`. So each step first looks at what GitHub (or the job's progress
record in Redis) already holds:

- the check run: its id and the annotation batches already sent are recorded
  in the job's progress hash right after each request, so a re-run finishes
  the same check run and appends no annotation twice;
- review comments: each carries its finding's fingerprint, and only
  fingerprints not yet on the pull request are posted (`plan_review_update`),
  so a re-run after a posted review posts nothing;
- the summary comment: found by its marker and edited, never created twice;
- `/codi apply`: the commit's SHA is recorded right after the push, so a
  re-run replies instead of committing again.

Posting for one pull request happens under a Redis lock owned by the job id
(a re-run of the same job takes its own lock back at once), so two commits'
jobs never both create a summary comment.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Any, Protocol

import redis.exceptions
from arq.connections import ArqRedis
from arq.worker import Retry
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from codi.app.metrics import Metrics
from codi.llm.engine import LocalModel, load_model
from codi.llm.ranking import rank_file
from codi.cli.discover import is_dockerfile_name
from codi.comments.candidates import OptimizedFile, candidate_sections
from codi.comments.check_run import CHECK_RUN_NAME, CheckRunReport, annotation_batches, check_run_report
from codi.comments.markdown import clip, code_span, fence, inert_text, plain_line
from codi.comments.outcomes import skipped_section, unfinished_output, unfinished_summary, with_skipped
from codi.comments.commands import (
    BUILDS_OFF_TEXT,
    approves_head,
    build_approved_text,
    build_refused_text,
    fork_refusal_text,
    help_text,
    permission_refusal_text,
)
from codi.comments.review import ExistingComment, plan_review_update, review_comment_batches, review_comments
from codi.comments.summary import is_summary_comment, report_url, summary_comment
from codi.pipeline.config import LintConfig
from codi.pipeline.configfile import CONFIG_NAMES, ConfigError, first_config
from codi.pipeline.limits import InputLimits, SkippedFile, within_file_count, within_size_caps
from codi.pipeline.lint import ScriptChecker
from codi.pipeline.measured import MeasuredBuilds
from codi.pipeline.rank import RankedCandidates
from codi.pipeline.review import ChangedFile, FileReview
from codi.settings import Settings, SettingsError
from codi.storage.approvals import ApprovalStore
from codi.storage.database import init_db
from codi.storage.evidence import EvidenceStore
from codi.storage.rankings import RankingStore
from codi.storage.runs import RunRecorder, RunStore, applied_file, environment, reviewed_files
from codi.webhooks.jobs import (
    HANDLE_COMMENT_COMMAND,
    RECORD_INSTALLATION,
    REVIEW_PULL_REQUEST,
    CommentCommandJob,
    InstallationJob,
    RepoRef,
    ReviewJob,
)
from codi.worker.approval import build_refusal
from codi.worker.builds import FileBuilds, measure_files
from codi.worker.contexts import ContextLimits, ContextRefused, context_root, fetch_context, remove_context
from codi.worker.github import (
    GitHubGateway,
    GitHubRejected,
    GitHubUnavailable,
    PullFile,
    PullRequest,
)
from codi.worker.sandbox import AnalysisSandbox, AnalysisTimedOut, analyse, fixed_files

log = logging.getLogger("codi.worker")

MODEL_CONTEXT_TOKENS = 4096
"""The ranking prompt is cut to ~1,500 tokens and the answer to 512: 4k leaves room for both."""
PROGRESS_TTL_SECONDS = 7 * 24 * 3600
LOCK_TTL_SECONDS = 120
"""A dead worker's pull-request lock frees itself after this (posting takes seconds)."""
LOCK_WAIT_SECONDS = 60.0
"""How long a job waits for another job of the same pull request before retrying later."""
MAX_TRIES = 5
"""arq's tries per job (`WorkerSettings.max_tries`): past the last, arq drops a job without running it, so the
last try ends the job visibly instead of asking for another."""
REPORT_RESERVE_SECONDS = 10.0
"""Kept from `CODI_JOB_TIMEOUT_SECONDS` (a quarter of it at most) to report a job that ran out of time before
arq cancels it."""
TRANSIENT_ERRORS = (GitHubUnavailable, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
"""Failures a later try may not meet: retried with back-off (or until GitHub's rate-limit reset)."""


# Services shared by the jobs of one worker process


@dataclass
class WorkerServices:
    """What `startup` builds once per worker process and every job uses."""

    settings: Settings
    github: GitHubGateway
    checker: ScriptChecker | None
    redis: ArqRedis
    metrics: Metrics
    model: LocalModel | None = None
    """The ranking model (`CODI_LLM_MODEL_PATH`), loaded once per process; None: the scorer alone."""
    _database: Engine | None = None
    sandbox: AnalysisSandbox = field(init=False)
    """The pure pipeline's child processes, killed after `CODI_ANALYSIS_TIMEOUT_SECONDS`."""

    def __post_init__(self) -> None:
        self.sandbox = AnalysisSandbox(self.settings.analysis_timeout_seconds)

    def database(self) -> Engine:
        """The engine on `CODI_DATABASE_URL`, opened on first use (evidence and ranking runs)."""
        if self._database is None:
            self._database = init_db(self.settings.database_url)
        return self._database

    def evidence(self) -> EvidenceStore:
        return EvidenceStore(self.database())

    def approvals(self) -> ApprovalStore:
        return ApprovalStore(self.database())

    @classmethod
    def build(cls, settings: Settings, redis: ArqRedis, metrics: Metrics | None = None) -> WorkerServices:
        from codi.adapters.shellcheck import ShellCheckRunner

        metrics = metrics or Metrics()
        github = GitHubGateway(
            app_id=settings.github_app_id,
            private_key=settings.private_key(),
            base_url=settings.github_api_url,
            timeout=settings.github_timeout_seconds,
            count_call=lambda status: metrics.github_api_calls.labels(status).inc(),
        )
        model = None
        if settings.llm_model_path is not None:
            hosts = [host.strip() for host in settings.llm_allowed_hosts.split(",") if host.strip()]
            model = load_model(settings.llm_model_path, shared=True, n_ctx=MODEL_CONTEXT_TOKENS, allowed_hosts=hosts)
        return cls(settings, github, ShellCheckRunner.discover(), redis, metrics, model)

    async def close(self) -> None:
        self.sandbox.close()
        await self.github.close()


class Progress(Protocol):
    """Where a review records the steps it has done (its check run id, the annotation batches sent)."""

    async def get(self, step: str) -> str | None: ...

    async def record(self, step: str, value: str) -> None: ...


class JobProgress:
    """What one job (by arq job id) has already done, in a Redis hash kept for a week."""

    def __init__(self, redis: ArqRedis, job_id: str) -> None:
        self.redis = redis
        self.key = f"codi:progress:{job_id}"

    async def get(self, step: str) -> str | None:
        value = await self.redis.hget(self.key, step)
        return value.decode() if value is not None else None

    async def record(self, step: str, value: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(self.key, step, value)
            pipe.expire(self.key, PROGRESS_TTL_SECONDS)
            await pipe.execute()


class InstallationStore:
    """Installations and their repositories (a Redis hash per installation; the database later)."""

    def __init__(self, redis: ArqRedis) -> None:
        self.redis = redis

    @staticmethod
    def key(installation_id: int) -> str:
        return f"codi:installation:{installation_id}"

    async def record(self, job: InstallationJob) -> None:
        key = self.key(job.installation_id)
        if job.action == "deleted":
            await self.redis.delete(key, key + ":repos")
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"account": job.account, "action": job.action, "updated": str(int(time.time()))})
            if job.repositories_added:
                pipe.sadd(key + ":repos", *job.repositories_added)
            if job.repositories_removed:
                pipe.srem(key + ":repos", *job.repositories_removed)
            await pipe.execute()



_RELEASE_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@asynccontextmanager
async def pull_request_lock(redis: ArqRedis, repo: RepoRef, number: int, owner: str) -> AsyncIterator[None]:
    """Posting for one pull request, one job at a time; `owner` (the job id) may take its own lock back."""
    key = f"codi:lock:{repo.full_name}#{number}"
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not await redis.set(key, owner, nx=True, ex=LOCK_TTL_SECONDS):
        if (await redis.get(key) or b"").decode() == owner:
            await redis.expire(key, LOCK_TTL_SECONDS)
            break
        if time.monotonic() > deadline:
            raise GitHubUnavailable(f"{repo.full_name}#{number} is busy with another job", retry_after=10)
        await asyncio.sleep(0.1)
    try:
        yield
    finally:
        await redis.eval(_RELEASE_LOCK, 1, key, owner)


# The jobs arq calls


async def review_pull_request(ctx: dict[str, Any], payload: dict[str, Any]) -> str:
    job = ReviewJob.model_validate(payload)
    services: WorkerServices = ctx["codi"]
    progress = JobProgress(services.redis, ctx["job_id"])
    work = review(services, job, ctx["job_id"])
    return await _run(
        ctx, REVIEW_PULL_REQUEST, work, lambda reason: end_check_run(services, job.repo, progress, reason)
    )


async def handle_comment_command(ctx: dict[str, Any], payload: dict[str, Any]) -> str:
    job = CommentCommandJob.model_validate(payload)
    services: WorkerServices = ctx["codi"]
    progress = JobProgress(services.redis, ctx["job_id"])
    work = answer_command(services, job, ctx["job_id"])
    return await _run(ctx, HANDLE_COMMENT_COMMAND, work, lambda reason: end_command(services, job, progress, reason))


async def record_installation(ctx: dict[str, Any], payload: dict[str, Any]) -> str:
    job = InstallationJob.model_validate(payload)
    services: WorkerServices = ctx["codi"]
    return await _run(ctx, RECORD_INSTALLATION, _record(InstallationStore(services.redis), job), _nothing_to_show)


async def _record(store: InstallationStore, job: InstallationJob) -> str:
    await store.record(job)
    return f"installation {job.installation_id} {job.action}"


GiveUp = Callable[[str], Awaitable[None]]
"""Makes a job's end visible with the reason it could not finish (completes its check run, or replies)."""


async def _run(ctx: dict[str, Any], function: str, work: Awaitable[str], give_up: GiveUp) -> str:
    """Time the job and end it in a visible state, whatever happens.

    A transient error (GitHub unavailable or rate limited, Redis unreachable) becomes an arq `Retry`,
    deferred until GitHub's reset or by back-off, and the check run stays in progress for the retry to
    finish; so does a shutdown (arq runs a cancelled job again). On the last try, and for everything else
    (GitHub rejecting a request, a crash, the analysis or the job running out of time), `give_up` says why
    first; the error is raised again so arq records the job as failed.
    """
    services: WorkerServices = ctx["codi"]
    job_id, job_try = ctx["job_id"], ctx["job_try"]
    last_try = job_try >= MAX_TRIES
    budget = work_budget(services.settings.job_timeout_seconds)
    start = time.perf_counter()
    outcome = "error"
    try:
        async with asyncio.timeout(budget) as deadline:
            result = await work
        outcome = "ok"
        return result
    except TRANSIENT_ERRORS as error:
        if last_try:
            outcome = "gave up"
            await _give_up(give_up, job_id, f"{error} (still on try {job_try} of {MAX_TRIES})")
            raise
        outcome = "retry"
        wait, until = _retry_wait(error, job_try)
        log.warning("%s: %s; retrying in %.0f s%s (try %d of %d)", job_id, error, wait, until, job_try, MAX_TRIES)
        raise Retry(defer=wait) from error
    except asyncio.CancelledError:
        outcome = "cancelled"
        if last_try:
            await _give_up(give_up, job_id, f"the worker stopped during the last try ({job_try} of {MAX_TRIES})")
        else:
            log.warning("%s: cancelled (the worker is stopping); try %d of %d left in progress for the next",
                        job_id, job_try, MAX_TRIES)
        raise
    except Exception as error:
        timed_out = isinstance(error, TimeoutError) and deadline.expired()
        outcome = "timeout" if timed_out else "failed"
        await _give_up(give_up, job_id, f"the job ran out of time ({budget:g} s)" if timed_out else _reason(error))
        raise
    finally:
        services.metrics.job_seconds.labels(function, outcome).observe(time.perf_counter() - start)


def work_budget(job_timeout: float) -> float:
    """The job's own deadline: arq's timeout less the time kept to report running out of it."""
    return job_timeout - min(REPORT_RESERVE_SECONDS, job_timeout / 4)


def _retry_wait(error: Exception, job_try: int) -> tuple[float, str]:
    """Seconds until the next try, and when that is if asked: a rate limit's reset however far, else back-off."""
    retry_at = getattr(error, "retry_at", None)
    if retry_at is None:
        return 5.0 * 2 ** (job_try - 1), ""
    wait = max(0.0, retry_at - time.time())
    return wait, f" (until {datetime.fromtimestamp(retry_at, timezone.utc):%H:%M:%S} UTC, as asked)"


def _reason(error: Exception) -> str:
    """What a reader is told; an unexpected crash says only its kind (the log has the traceback)."""
    if isinstance(error, (GitHubRejected, AnalysisTimedOut)):
        return str(error)
    return f"an internal error ({type(error).__name__})"


async def _give_up(give_up: GiveUp, job_id: str, reason: str) -> None:
    """Run `give_up`; if even that fails (GitHub or Redis down), the log is all that is left."""
    log.error("%s: could not finish: %s", job_id, reason)
    try:
        await give_up(reason)
    except Exception:
        log.exception("%s: could not report that it could not finish", job_id)


async def end_check_run(services: WorkerServices, repo: RepoRef, progress: JobProgress, reason: str) -> None:
    """Complete the job's check run, if it made one and did not finish it, as failed with the reason."""
    check_run = await progress.get("check_run")
    if check_run is None or await progress.get("done"):
        return
    await services.github.update_check_run(repo, int(check_run), unfinished_output(reason), conclusion="failure")
    await progress.record("done", "could not finish")


async def end_command(services: WorkerServices, job: CommentCommandJob, progress: JobProgress, reason: str) -> None:
    """Reply to the command, unless it was answered, with the reason it could not finish."""
    if await progress.get("replied"):
        return
    reply = f"`/codi {job.command}`: {unfinished_summary(reason)}"
    await services.github.create_issue_comment(job.repo, job.pull_number, reply)
    await progress.record("replied", "could not finish")


async def _nothing_to_show(reason: str) -> None:
    """Installation changes have no check run or reply: the log line is their record."""


# Review


async def review(services: WorkerServices, job: ReviewJob, job_id: str) -> str:
    """Check run in progress → lint and optimise the PR's Dockerfiles → review, summary (with the
    optimiser's candidates), check run completed."""
    github = services.github
    repo = job.repo
    progress = JobProgress(services.redis, job_id)
    if await progress.get("done"):
        return "already done"
    recorder = RunRecorder("app", repository=repo.full_name, pull_number=job.pull_number, head_sha=job.head_sha)
    check_run = await start_check_run(github, repo, job.head_sha, progress)
    files = await github.pull_request_files(repo, job.pull_number)
    try:
        config = await base_config(github, repo, job.base_ref)
    except ConfigError as error:
        await github.update_check_run(repo, check_run, _config_error_output(error), conclusion="failure")
        await progress.record("done", "config error")
        return f"configuration error: {error}"
    changed, skipped = await head_dockerfiles(github, repo, job.head_sha, files)
    with recorder.stage("analyse"):
        reviews, optimized = await services.sandbox.run(analyse, changed, config, services.checker)
    with recorder.stage("build"):
        measured = (
            await measure_review(services, repo, job.pull_number, job.head_sha, optimized, config, job_id)
            if services.settings.builds
            else None
        )
    with recorder.stage("rank"):
        ranked = await asyncio.to_thread(rank_review, services, repo, job.head_sha, optimized, measured)
    recorder.files.extend(reviewed_files(changed, reviews, optimized, measured, ranked))
    report = with_skipped(check_run_report(reviews, config, ranked), skipped, len(reviews))

    async with pull_request_lock(services.redis, repo, job.pull_number, owner=job_id):
        pull = await github.pull_request(repo, job.pull_number)
        if pull.head_sha != job.head_sha:
            await github.update_check_run(repo, check_run, _superseded_output(pull.head_sha), conclusion="neutral")
            await progress.record("done", "superseded")
            await asyncio.to_thread(record_run, services, recorder, "superseded")
            return f"superseded by {pull.head_sha}"
        posted = await post_review(github, repo, job, reviews)
        sections = skipped_section(skipped) + candidate_sections(optimized, measured=measured, ranked=ranked)
        await upsert_summary(github, repo, job.pull_number, summary_comment(reviews, job.head_sha, sections))
        await complete_check_run(github, repo, check_run, report, progress)
        recorder.lap("post")  # since ranking: the lock, the head check and the posting
        run_id = await asyncio.to_thread(record_run, services, recorder, report.conclusion)
        if run_id is not None and services.settings.public_url:
            # the run's id exists only once it is stored: the summary then links to its report (still locked,
            # so a newer head's summary is never overwritten by this one)
            link = report_url(services.settings.public_url, run_id)
            await upsert_summary(github, repo, job.pull_number, summary_comment(reviews, job.head_sha, sections, link))
    await progress.record("done", report.conclusion)
    return f"{report.conclusion}: {len(report.annotations)} annotations, {posted} review comments"


def record_run(
    services: WorkerServices, recorder: RunRecorder, outcome: str, detail: str | None = None
) -> int | None:
    """Store the job's run (a review's or `/codi apply`'s) and give its id; a database that cannot take it is
    logged (None), not a failed job (it was posted). Only a review ranks and builds: its environment names the
    model and the build network."""
    settings = services.settings
    reviews = recorder.kind == "app"
    model = services.model.name if services.model and reviews else None
    build_network = settings.build_network if settings.builds and reviews else None
    run = recorder.finish(outcome, environment(model, settings.llm_allowed_hosts.split(","), build_network), detail)
    try:
        run_id = RunStore(services.database()).record(run)
    except (SQLAlchemyError, SettingsError) as error:
        log.warning("%s#%s@%s: run not recorded: %s", run.repository, run.pull_number, run.head_sha, error)
        return None
    log.info("%s#%s@%s: run %d recorded", run.repository, run.pull_number, run.head_sha, run_id)
    return run_id


async def measure_review(
    services: WorkerServices,
    repo: RepoRef,
    pull_number: int,
    head_sha: str,
    optimized: Sequence[OptimizedFile],
    config: LintConfig,
    job_id: str,
) -> MeasuredBuilds:
    """Builds the originals and candidates on the build workers from the head commit's archive, and judges them;
    nothing is downloaded or built until the commit may be (`build_refusal`, asked now, so an approver who lost
    write access since approving approves nothing): the note says how to approve it. The context is this job's
    own (`context_root`): another review of the same commit cleaning up its own cannot remove it."""
    files = [file for file in optimized if file.result.candidates]
    if not files:
        return MeasuredBuilds({})
    github, approvals = services.github, services.approvals()
    if refusal := await build_refusal(github, approvals, repo, pull_number, head_sha, config.builds):
        log.info("%s#%d@%s: not built: awaiting approval", repo.full_name, pull_number, head_sha)
        return MeasuredBuilds({}, note=refusal)
    root = context_root(services.settings.data_dir, repo.owner, repo.name, head_sha, job_id)
    try:
        await fetch_context(services.github.tarball(repo, head_sha), root, ContextLimits.of(services.settings))
    except ContextRefused as refused:
        log.warning("%s@%s: not built: %s", repo.full_name, head_sha, refused)
        return MeasuredBuilds({}, note=f"Nothing was built: {refused}.")
    builds = [
        FileBuilds(file.result.path, file.text, file.result.candidates, root / PurePosixPath(file.result.path).parent)
        for file in files
    ]
    reports = await measure_files(
        services.redis, services.evidence(), builds, config.smoke, services.settings.build_deadline_seconds
    )
    await asyncio.to_thread(remove_context, root)  # the review is done with it; a retried job fetches it again
    return MeasuredBuilds(reports)


def rank_review(
    services: WorkerServices,
    repo: RepoRef,
    head_sha: str,
    optimized: Sequence[OptimizedFile],
    measured: MeasuredBuilds | None,
) -> list[RankedCandidates]:
    """Each file's candidates ranked (by the model within the scorer's bounds when one is loaded); telemetry
    counted in /metrics and, with the order, stored with the run."""
    ranked = []
    for file in optimized:
        if not file.result.candidates:
            continue
        path = file.result.path
        reports = measured.reports.get(path) if measured else None
        ranking = rank_file(path, file.text, file.result, reports, services.model, services.settings.llm_timeout_seconds)
        if ranking.telemetry is not None:
            services.metrics.count_model_call(ranking.telemetry)
            RankingStore(services.database()).record(repo.full_name, head_sha, ranking)
        ranked.append(ranking)
    return ranked


async def start_check_run(github: GitHubGateway, repo: RepoRef, head_sha: str, progress: Progress) -> int:
    """The job's check run: the one an earlier try of this job created, else a new one (recorded at once).

    A job cancelled meanwhile (shutdown, its deadline) still records the id before it stops, so that
    whoever ends the job finds the check run to complete.
    """
    if recorded := await progress.get("check_run"):
        return int(recorded)

    async def create() -> int:
        output = {"title": "Reviewing Dockerfiles", "summary": "codi is reviewing this commit."}
        check_run = await github.create_check_run(repo, head_sha, CHECK_RUN_NAME, output)
        await progress.record("check_run", str(check_run))
        return check_run

    creating = asyncio.ensure_future(create())
    try:
        return await asyncio.shield(creating)
    except asyncio.CancelledError:
        await asyncio.wait({creating})  # its own failure, if any, is not the news: the cancellation is
        raise


async def complete_check_run(
    github: GitHubGateway, repo: RepoRef, check_run: int, report: CheckRunReport, progress: Progress
) -> None:
    """Annotations 50 per PATCH (GitHub appends them), the conclusion with the last batch.

    Batches already sent by an earlier try are skipped, so none is appended twice.
    """
    batches = annotation_batches(report.annotations) or [[]]
    sent = int(await progress.get("annotation_batches") or 0)
    for index, batch in enumerate(batches[:-1], start=1):
        if index > sent:
            await github.update_check_run(repo, check_run, report.output(batch))
            await progress.record("annotation_batches", str(index))
    await github.update_check_run(repo, check_run, report.output(batches[-1]), conclusion=report.conclusion)


async def base_config(github: GitHubGateway, repo: RepoRef, base_ref: str) -> LintConfig:
    """The first config file (in `codi analyze`'s order) on the base branch: the PR cannot change its own checks."""
    texts = await asyncio.gather(*(github.file_text(repo, name, base_ref) for name in CONFIG_NAMES))
    return first_config(zip(CONFIG_NAMES, texts))


async def head_dockerfiles(
    github: GitHubGateway, repo: RepoRef, head_sha: str, files: Sequence[PullFile], limits: InputLimits = InputLimits()
) -> tuple[list[ChangedFile], list[SkippedFile]]:
    """The PR's added or changed Dockerfiles (`codi analyze`'s name patterns), as they are at the head, within
    the input caps; and the ones skipped, with the cap each broke (the count cap before any text is fetched)."""
    picked = {
        file.path: file
        for file in files
        if file.status != "removed" and is_dockerfile_name(PurePosixPath(file.path).name)
    }
    paths, over_count = within_file_count(list(picked), limits)
    texts = await asyncio.gather(*(github.file_text(repo, path, head_sha) for path in paths))
    fetched = [ChangedFile(path, text, picked[path].patch) for path, text in zip(paths, texts) if text is not None]
    kept, too_large = within_size_caps(fetched, limits)
    return kept, over_count + too_large


async def post_review(github: GitHubGateway, repo: RepoRef, job: ReviewJob, reviews: Sequence[FileReview]) -> int:
    """Post comments for findings not yet commented, as one review (more if over 30); delete those gone.

    GitHub takes at most 30 comments per create-review request, so a longer
    review continues in further reviews of 30 on the same commit. Returns how
    many comments were posted.
    """
    listed = await github.review_comments(repo, job.pull_number)
    bot = await github.bot_login()
    replied_to = {comment.in_reply_to_id for comment in listed if comment.in_reply_to_id is not None}
    existing = [
        ExistingComment(comment.id, comment.body, comment.id in replied_to)
        for comment in listed
        if comment.in_reply_to_id is None and is_author(comment.author, bot)
    ]
    to_post, to_delete = plan_review_update(review_comments(reviews), existing)
    batches = review_comment_batches(to_post)
    for index, batch in enumerate(batches, start=1):
        body = _review_body(job.head_sha, len(to_post), index, len(batches))
        await github.create_review(repo, job.pull_number, job.head_sha, body, [c.as_payload() for c in batch])
    for comment_id in to_delete:
        await github.delete_review_comment(repo, comment_id)
    return len(to_post)


async def upsert_summary(github: GitHubGateway, repo: RepoRef, number: int, body: str) -> None:
    """Edit codi's summary comment in place; create it only when the pull request has none.

    codi's is the App's own comment with the marker: a marker in someone else's comment makes it no summary."""
    comments = await github.issue_comments(repo, number)
    bot = await github.bot_login()
    summary = next((c for c in comments if is_author(c.author, bot) and is_summary_comment(c.body)), None)
    if summary is None:
        await github.create_issue_comment(repo, number, body)
    elif summary.body != body:
        await github.update_issue_comment(repo, summary.id, body)


def is_author(login: str, bot: str) -> bool:
    """Whether a comment's author is the App (`bot_login`); logins compare case-insensitively, as GitHub's do."""
    return login.lower() == bot.lower()


def _review_body(head_sha: str, comments: int, index: int, batches: int) -> str:
    noun = "finding" if comments == 1 else "findings"
    part = f" (part {index} of {batches})" if batches > 1 else ""
    return f"codi: {comments} new {noun} on lines this pull request changes at {code_span(head_sha[:7])}{part}."


def _config_error_output(error: ConfigError) -> dict[str, str]:
    return {
        "title": "Configuration error",
        "summary": "codi could not read the configuration on the base branch, so it reviewed nothing:\n\n"
        f"{fence(str(error))}\n",
    }


def _superseded_output(newer_sha: str) -> dict[str, str]:
    return {
        "title": "Superseded by a newer commit",
        "summary": f"The pull request moved on to {code_span(newer_sha[:7])}; codi reviews that commit instead.",
    }



# Comment commands


async def answer_command(services: WorkerServices, job: CommentCommandJob, job_id: str) -> str:
    """Only writers may run commands; others get a polite refusal. Every command ends in one reply."""
    github = services.github
    repo = job.repo
    progress = JobProgress(services.redis, job_id)
    if await progress.get("replied"):
        return "already answered"
    if not await github.can_write(repo, job.author):
        reply, outcome = permission_refusal_text(job.author), "refused: no write permission"
    elif job.command == "rerun":
        reply, outcome = await rerun(services, repo, job)
    elif job.command == "apply":
        reply, outcome = await apply_fixes(services, repo, job, progress)
    elif job.command == "build":
        reply, outcome = await approve_build(services, repo, job)
    else:
        reply, outcome = help_text(), "help"
    await github.create_issue_comment(repo, job.pull_number, reply)
    await progress.record("replied", outcome)
    return outcome


async def rerun(services: WorkerServices, repo: RepoRef, job: CommentCommandJob) -> tuple[str, str]:
    """Queue a review of the current head (its job id carries the delivery, so it runs even if reviewed)."""
    pull = await services.github.pull_request(repo, job.pull_number)
    await _queue_review(services, job, pull, reason="rerun")
    return f"Reviewing `{pull.head_sha[:7]}` again; the **codi** check run shows the result.\n", "rerun queued"


async def approve_build(services: WorkerServices, repo: RepoRef, job: CommentCommandJob) -> tuple[str, str]:
    """Approve builds of the head commit as it is now (named in the reply; with `/codi build SHA`, only if it is
    still the commit the approver looked at) and queue its review; the review checks the approval against the
    very commit it builds."""
    if not services.settings.builds:
        return BUILDS_OFF_TEXT, "builds off"
    pull = await services.github.pull_request(repo, job.pull_number)
    if not approves_head(job.argument, pull.head_sha):
        return build_refused_text(job.argument or "", pull.head_sha), "refused: head moved"
    approvals = services.approvals()
    await asyncio.to_thread(approvals.approve, repo.full_name, job.pull_number, pull.head_sha, job.author)
    await _queue_review(services, job, pull, reason="approved")
    return build_approved_text(job.author, pull.head_sha), f"build approved: {pull.head_sha}"


async def _queue_review(services: WorkerServices, job: CommentCommandJob, pull: PullRequest, reason: str) -> None:
    """A review of the pull request's current head (its job id carries the delivery, so it runs even if reviewed)."""
    review_job = _review_job(job, pull, reason)
    await services.redis.enqueue_job(REVIEW_PULL_REQUEST, review_job.model_dump(mode="json"), _job_id=review_job.job_id)


async def apply_fixes(
    services: WorkerServices, repo: RepoRef, job: CommentCommandJob, progress: JobProgress
) -> tuple[str, str]:
    """Commit every safe fix of the PR's Dockerfiles to its branch, in one commit through the Git Data API; the
    attempt is stored as an `apply` run (the files as they were at the head, each with the findings whose fixes
    were committed, and the commit pushed)."""
    github = services.github
    pull = await github.pull_request(repo, job.pull_number)
    if committed := await progress.get("commit"):
        return _applied_text(committed, (await progress.get("paths") or "").split("\n")), "applied"
    recorder = RunRecorder("apply", repository=repo.full_name, pull_number=job.pull_number, head_sha=pull.head_sha)

    def ended(outcome: str, detail: str | None = None) -> Awaitable[int | None]:
        return asyncio.to_thread(record_run, services, recorder, outcome, detail)

    if not pull.head_repo_full_name or (pull.is_fork and not pull.maintainer_can_modify):
        await ended("refused", "a fork that does not allow edits from maintainers")
        return fork_refusal_text(job.author), "refused: fork without maintainer edits"
    try:
        config = await base_config(github, repo, pull.base_ref)
    except ConfigError as error:
        await ended("failed", f"the configuration on the base branch is invalid: {error}")
        reply = f"I can't apply fixes: the configuration on the base branch is invalid.\n\n{fence(str(error))}\n"
        return reply, "config error"
    files = await github.pull_request_files(repo, job.pull_number)
    changed, _ = await head_dockerfiles(github, repo, pull.head_sha, files)
    with recorder.stage("analyse"):
        fixed = await services.sandbox.run(fixed_files, changed, config, services.checker)
    if not fixed:
        await ended("nothing to apply")
        return f"Nothing to apply: no safe fix for the Dockerfiles at `{pull.head_sha[:7]}`.\n", "nothing to apply"
    owner, name = pull.head_repo_full_name.split("/", 1)
    head_repo = RepoRef(installation_id=repo.installation_id, owner=owner, name=name)
    texts = {file.path: file.text for file in fixed}
    listing = "\n".join(f"- {plain_line(path)}" for path in texts)
    message = f"Apply codi's safe fixes\n\n{listing}\n\nRequested by @{plain_line(job.author)} in #{job.pull_number}."
    try:
        sha = await github.commit_files(head_repo, pull.head_ref, pull.head_sha, texts, message)
    except GitHubRejected as error:
        await ended("failed", f"GitHub rejected the commit: {error}")
        reply = f"I couldn't commit the fixes ({inert_text(clip(str(error), 300))}). If the branch moved, comment "
        return reply + "`/codi apply` again.\n", "rejected"
    await progress.record("paths", "\n".join(texts))
    await progress.record("commit", sha)
    recorder.lap("post")  # since the analysis: the commit through the Git Data API
    heads = {file.path: file.text for file in changed}
    recorder.commit_sha = sha
    recorder.files.extend(applied_file(file.path, heads[file.path], file.applied, file.stack) for file in fixed)
    await ended("applied")
    return _applied_text(sha, list(texts)), "applied"


def _applied_text(sha: str, paths: Sequence[str]) -> str:
    listing = "\n".join(f"- {code_span(path)}" for path in paths)
    return f"Committed codi's safe fixes as {sha[:7]}:\n\n{listing}\n"


def _review_job(job: CommentCommandJob, pull: PullRequest, reason: str) -> ReviewJob:
    return ReviewJob(
        repo=job.repo,
        pull_number=job.pull_number,
        head_sha=pull.head_sha,
        head_ref=pull.head_ref,
        base_ref=pull.base_ref,
        base_sha=pull.base_sha,
        head_repo_full_name=pull.head_repo_full_name or None,
        maintainer_can_modify=pull.maintainer_can_modify,
        reason=reason,  # type: ignore[arg-type]
        delivery_id=job.delivery_id,
    )
