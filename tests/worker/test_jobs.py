"""The worker's jobs, run by an in-process arq worker against real Redis and the local GitHub API."""

from __future__ import annotations

import re

import redis
from arq.constants import result_key_prefix

from codi.adapters.shellcheck import ShellCheckRunner
from codi.comments.summary import is_summary_comment
from codi.pipeline.lint import fix_text, lint_text
from codi.settings import Settings
from codi.webhooks.jobs import CommentCommandJob, InstallationJob, RepoRef
from codi.worker.jobs import InstallationStore
from tests.github_api.server import FakeGitHub
from tests.worker.conftest import HEAD_DOCKERFILE, INSTALLATION, NAME, OWNER, review_job, run_jobs, seed_pull

SUGGESTION = re.compile(r"```suggestion\n(.*?)```", re.S)


def _expected_line_after_fix(code: str) -> tuple[int, str]:
    """The line a finding's fix rewrites, as the fix alone leaves it (what its suggestion must say)."""
    finding = next(f for f in lint_text(HEAD_DOCKERFILE).findings if f.code == code)
    assert finding.fix is not None
    return finding.line, finding.fix.apply(HEAD_DOCKERFILE).splitlines(keepends=True)[finding.line - 1]


def test_review_posts_check_run_review_and_summary(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api)
    counts = run_jobs(settings, review_job(pull))
    assert counts == {"complete": 1, "failed": 0, "retried": 0}

    [check_run] = github_api.check_runs(OWNER, NAME)
    expected = lint_text(HEAD_DOCKERFILE, checker=ShellCheckRunner.discover()).findings
    assert (check_run.name, check_run.status, check_run.conclusion) == ("codi", "completed", "failure")
    assert check_run.head_sha == pull.head_sha
    assert sorted((a.start_line, a.title) for a in check_run.annotations) == sorted(
        (f.line, f"{f.code} ({f.severity.value})") for f in expected
    )
    [review] = github_api.reviews(OWNER, NAME, 1)
    assert (review.state, review.commit_id) == ("COMMENTED", pull.head_sha)
    comments = github_api.review_comments(OWNER, NAME, 1)
    dl3009 = next(c for c in comments if "DL3009" in c.body)
    line, fixed = _expected_line_after_fix("DL3009")
    assert dl3009.line == line
    assert SUGGESTION.search(dl3009.body).group(1) == fixed
    [summary] = github_api.issue_comments(OWNER, NAME, 1)
    assert is_summary_comment(summary.body) and pull.head_sha[:7] in summary.body
    assert github_api.violations == []


def test_a_push_posts_only_new_findings_and_edits_the_summary(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api)
    run_jobs(settings, review_job(pull))
    first = {c.id: c.body for c in github_api.review_comments(OWNER, NAME, 1)}
    [summary] = github_api.issue_comments(OWNER, NAME, 1)
    summary_id, summary_body = summary.id, summary.body

    # The push keeps every finding of the first commit and adds one (DL3020: ADD for a local file).
    github_api.push(OWNER, NAME, 1, {"Dockerfile": HEAD_DOCKERFILE + "ADD app.py /app/\n"})
    assert run_jobs(settings, review_job(pull, "synchronize", "delivery-2"))["complete"] == 1

    after = {c.id: c.body for c in github_api.review_comments(OWNER, NAME, 1)}
    added = {id_: body for id_, body in after.items() if id_ not in first}
    assert set(first) <= set(after)
    assert [("DL3020" in body) for body in added.values()] == [True]
    assert len(github_api.reviews(OWNER, NAME, 1)) == 2
    [edited] = github_api.issue_comments(OWNER, NAME, 1)
    assert edited.id == summary_id and edited.body != summary_body and pull.head_sha[:7] in edited.body
    assert github_api.violations == []


def test_a_fixed_finding_loses_its_comment_unless_someone_replied(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api)
    run_jobs(settings, review_job(pull))
    comments = github_api.review_comments(OWNER, NAME, 1)
    cd_comment = next(c for c in comments if "DL3003" in c.body)
    sc_comment = next(c for c in comments if "SC2164" in c.body)
    github_api.add_review_reply(OWNER, NAME, sc_comment.id, "We need this cd.", "hubot")

    github_api.push(OWNER, NAME, 1, {"Dockerfile": HEAD_DOCKERFILE.replace("RUN cd /tmp\n", "WORKDIR /tmp\n")})
    run_jobs(settings, review_job(pull, "synchronize", "delivery-2"))

    ids = {c.id for c in github_api.review_comments(OWNER, NAME, 1)}
    assert cd_comment.id not in ids
    assert sc_comment.id in ids
    assert github_api.violations == []


def test_running_the_same_job_twice_posts_once(
    settings: Settings, github_api: FakeGitHub, redis_db: redis.Redis
) -> None:
    """A job re-run after it finished (its progress record says done) posts nothing again."""
    pull = seed_pull(github_api)
    job = review_job(pull)
    run_jobs(settings, job)
    redis_db.delete(result_key_prefix + job.job_id)
    run_jobs(settings, job)
    assert len(github_api.reviews(OWNER, NAME, 1)) == 1
    assert len(github_api.check_runs(OWNER, NAME)) == 1
    assert len(github_api.issue_comments(OWNER, NAME, 1)) == 1


def test_a_rerun_reviews_again_without_repeating_comments(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api)
    run_jobs(settings, review_job(pull))
    run_jobs(settings, review_job(pull, "rerun", "delivery-2"))
    runs = github_api.check_runs(OWNER, NAME)
    assert [run.status for run in runs] == ["completed", "completed"]
    assert len(github_api.reviews(OWNER, NAME, 1)) == 1
    assert len(github_api.issue_comments(OWNER, NAME, 1)) == 1


def test_config_comes_from_the_base_branch(settings: Settings, github_api: FakeGitHub) -> None:
    """The PR's own .codi.yml ignoring DL3015 changes nothing; the base's ignoring DL3003 does."""
    base = {"Dockerfile": "FROM debian:12\n", ".codi.yml": "ignored: [DL3003]\n"}
    head = {**base, "Dockerfile": HEAD_DOCKERFILE, ".codi.yml": "ignored: [DL3003, DL3015]\n"}
    pull = seed_pull(github_api, base_files=base, head_files=head)
    run_jobs(settings, review_job(pull))
    [check_run] = github_api.check_runs(OWNER, NAME)
    titles = {a.title.split()[0] for a in check_run.annotations}
    assert "DL3015" in titles and "DL3003" not in titles


def test_a_bad_base_config_fails_the_check_run_and_posts_nothing_else(
    settings: Settings, github_api: FakeGitHub
) -> None:
    base = {"Dockerfile": "FROM debian:12\n", ".codi.yml": "ignord: [DL3008]\n"}
    pull = seed_pull(github_api, base_files=base, head_files={**base, "Dockerfile": HEAD_DOCKERFILE})
    assert run_jobs(settings, review_job(pull))["complete"] == 1
    [check_run] = github_api.check_runs(OWNER, NAME)
    assert (check_run.status, check_run.conclusion, check_run.title) == ("completed", "failure", "Configuration error")
    assert ".codi.yml:1: ignord: unknown setting" in check_run.summary
    assert github_api.reviews(OWNER, NAME) == [] and github_api.issue_comments(OWNER, NAME) == []


def test_a_job_for_an_old_head_stops_before_posting(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api)
    job = review_job(pull)
    newer = github_api.push(OWNER, NAME, 1, {"Dockerfile": HEAD_DOCKERFILE + "USER app\n"})
    run_jobs(settings, job)
    [check_run] = github_api.check_runs(OWNER, NAME)
    assert (check_run.head_sha, check_run.conclusion) == (job.head_sha, "neutral")
    assert newer[:7] in check_run.summary
    assert github_api.reviews(OWNER, NAME) == [] and github_api.issue_comments(OWNER, NAME) == []


def test_annotations_go_50_per_request(settings: Settings, github_api: FakeGitHub) -> None:
    dockerfile = "FROM debian:12\n" + "".join(f"RUN cd /d{i}\n" for i in range(60))
    pull = seed_pull(github_api, head_files={"Dockerfile": dockerfile})
    run_jobs(settings, review_job(pull))
    [check_run] = github_api.check_runs(OWNER, NAME)
    assert max(check_run.annotation_batches) == 50
    assert sum(check_run.annotation_batches) == len(check_run.annotations) > 100
    assert len(github_api.reviews(OWNER, NAME, 1)) == -(-len(github_api.review_comments(OWNER, NAME, 1)) // 30)
    assert github_api.violations == []


def test_a_pull_request_without_dockerfiles_gets_a_neutral_check_run(
    settings: Settings, github_api: FakeGitHub
) -> None:
    pull = seed_pull(github_api, base_files={"README.md": "hi\n"}, head_files={"README.md": "hello\n"})
    run_jobs(settings, review_job(pull))
    [check_run] = github_api.check_runs(OWNER, NAME)
    assert check_run.conclusion == "neutral"
    assert github_api.reviews(OWNER, NAME) == []


def test_github_errors_are_retried_until_the_job_completes(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api)
    github_api.inject("GET", r"/pulls/1/files", 502)
    github_api.inject("POST", r"/pulls/1/reviews", 403, headers={"Retry-After": "1"})
    counts = run_jobs(settings, review_job(pull))
    assert counts["complete"] == 1
    assert len(github_api.reviews(OWNER, NAME, 1)) == 1
    statuses = [(r.method, r.status) for r in github_api.requests if r.path.endswith(("/files", "/reviews"))]
    assert statuses == [("GET", 502), ("GET", 200), ("POST", 403), ("POST", 200)]


def test_a_long_outage_becomes_a_deferred_retry(settings: Settings, github_api: FakeGitHub) -> None:
    """A rate limit asking for more than the gateway waits in-line: arq retries the job after it."""
    pull = seed_pull(github_api)
    github_api.inject("GET", r"/pulls/1/files", 429, headers={"Retry-After": "1"}, times=5)
    counts = run_jobs(settings, review_job(pull))
    assert counts == {"complete": 1, "failed": 0, "retried": 1}
    assert len(github_api.reviews(OWNER, NAME, 1)) == 1


def _command(pull_number: int, command: str, author: str = "maintainer", comment_id: int = 99) -> CommentCommandJob:
    return CommentCommandJob(
        repo=RepoRef(installation_id=INSTALLATION, owner=OWNER, name=NAME),
        pull_number=pull_number,
        comment_id=comment_id,
        author=author,
        command=command,  # type: ignore[arg-type]
        delivery_id=f"delivery-{command}-{comment_id}",
    )


def test_help_replies_with_the_commands(settings: Settings, github_api: FakeGitHub) -> None:
    seed_pull(github_api)
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    run_jobs(settings, _command(1, "help"))
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert "`/codi apply`" in reply.body and "`/codi rerun`" in reply.body
    assert github_api.violations == []


def test_a_read_only_user_gets_a_polite_refusal(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api)
    github_api.set_permission(OWNER, NAME, "visitor", "read")
    run_jobs(settings, _command(1, "apply", author="visitor"))
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert reply.body.startswith("Sorry @visitor")
    assert github_api.pull(OWNER, NAME, 1).head_sha == pull.head_sha


def test_apply_commits_the_safe_fixes_to_the_branch(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api, head_files={"Dockerfile": HEAD_DOCKERFILE, "web/Dockerfile": HEAD_DOCKERFILE})
    before = pull.head_sha
    github_api.set_permission(OWNER, NAME, "maintainer", "maintain")
    run_jobs(settings, _command(1, "apply"))

    after = github_api.pull(OWNER, NAME, 1).head_sha
    assert after != before
    files = github_api.files_at(OWNER, NAME, pull.head_ref)
    expected = fix_text(HEAD_DOCKERFILE, checker=ShellCheckRunner.discover())
    assert files["Dockerfile"] == files["web/Dockerfile"] == expected != HEAD_DOCKERFILE
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert after[:7] in reply.body and "`web/Dockerfile`" in reply.body
    assert github_api.violations == []


def test_apply_with_nothing_to_fix_says_so(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api, head_files={"Dockerfile": "FROM debian:12\nUSER app\n"})
    github_api.set_permission(OWNER, NAME, "maintainer", "admin")
    run_jobs(settings, _command(1, "apply"))
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert reply.body.startswith("Nothing to apply")
    assert github_api.pull(OWNER, NAME, 1).head_sha == pull.head_sha


def test_apply_on_a_fork_without_maintainer_edits_is_refused(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api, head_repo="contributor/app", maintainer_can_modify=False)
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    run_jobs(settings, _command(1, "apply"))
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert "Allow edits by maintainers" in reply.body
    assert github_api.pull(OWNER, NAME, 1).head_sha == pull.head_sha


def test_apply_on_a_fork_outside_the_installation_reports_githubs_refusal(
    settings: Settings, github_api: FakeGitHub
) -> None:
    """Maintainer edits allowed, but the App's token cannot reach the fork: GitHub's 404 is replied, nothing lost."""
    pull = seed_pull(github_api, head_repo="contributor/app", maintainer_can_modify=True)
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    assert run_jobs(settings, _command(1, "apply"))["complete"] == 1
    assert github_api.files_at("contributor", "app", pull.head_ref)["Dockerfile"] == HEAD_DOCKERFILE
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert reply.body.startswith("I couldn't commit the fixes (GitHub answered 404")
    assert github_api.violations == []


def test_rerun_queues_a_review_of_the_current_head(settings: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api)
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    counts = run_jobs(settings, _command(1, "rerun"))
    assert counts["complete"] == 2  # the command, then the review it queued
    [check_run] = github_api.check_runs(OWNER, NAME)
    assert (check_run.head_sha, check_run.status) == (pull.head_sha, "completed")
    bodies = [c.body for c in github_api.issue_comments(OWNER, NAME, 1)]
    assert sum(is_summary_comment(body) for body in bodies) == 1
    assert any(body.startswith("Reviewing") for body in bodies)


def test_installations_are_recorded(settings: Settings, redis_db: redis.Redis) -> None:
    created = InstallationJob(
        installation_id=5, action="created", account="octo", repositories_added=["octo/a", "octo/b"], delivery_id="i1"
    )
    removed = InstallationJob(
        installation_id=5, action="removed", account="octo", repositories_removed=["octo/a"], delivery_id="i2"
    )
    run_jobs(settings, created)
    run_jobs(settings, removed)
    assert {m.decode() for m in redis_db.smembers(InstallationStore.key(5) + ":repos")} == {"octo/b"}
    assert redis_db.hget(InstallationStore.key(5), "account") == b"octo"
    deleted = InstallationJob(installation_id=5, action="deleted", account="octo", delivery_id="i3")
    run_jobs(settings, deleted)
    assert redis_db.exists(InstallationStore.key(5), InstallationStore.key(5) + ":repos") == 0
