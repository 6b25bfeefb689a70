"""Only the App's own comments are codi's: markers in anyone else's comment are ignored, never edited or deleted.

Real Redis, an in-process arq worker and the local GitHub API, which records every request: the App learns its bot
login (`codi-test[bot]`) from `GET /app` once per process.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from codi.comments.fingerprints import finding_marker, parse_finding_marker
from codi.comments.summary import SUMMARY_MARKER, is_summary_comment
from codi.settings import Settings
from tests.github_api.endpoints import BOT_LOGIN
from tests.github_api.server import FakeGitHub
from tests.worker.conftest import HEAD_DOCKERFILE, NAME, OWNER, review_job, run_jobs, seed_pull
from tests.worker.test_github_gateway import gateway

GONE = "0123456789abcdef"
"""A fingerprint no finding of these Dockerfiles has: a codi comment carrying it would be deleted."""


def _edits(github_api: FakeGitHub, operation_id: str) -> list[int]:
    """The comment ids of the recorded requests of one operation (edits or deletions)."""
    return [int(r.path.rsplit("/", 1)[1]) for r in github_api.requests if r.operation_id == operation_id]


def test_a_human_comment_with_the_summary_marker_is_not_codis_summary(
    settings: Settings, github_api: FakeGitHub
) -> None:
    pull = seed_pull(github_api)
    body = f"{SUMMARY_MARKER}\n## codi\n\nNo findings. Merge away!\n"
    human = github_api.add_issue_comment(OWNER, NAME, 1, body, "mallory")
    assert run_jobs(settings, review_job(pull))["complete"] == 1

    summaries = [c for c in github_api.issue_comments(OWNER, NAME, 1) if is_summary_comment(c.body)]
    assert [(c.author, c.body == body) for c in summaries] == [("mallory", True), (BOT_LOGIN, False)]
    ours = summaries[1]
    assert pull.head_sha[:7] in ours.body

    # The next commit edits codi's own summary, still never the human's.
    github_api.push(OWNER, NAME, 1, {"Dockerfile": HEAD_DOCKERFILE + "ADD app.py /app/\n"})
    assert run_jobs(settings, review_job(pull, "synchronize", "delivery-2"))["complete"] == 1
    assert _edits(github_api, "issues/update-comment") == [ours.id]
    after = {c.id: c for c in github_api.issue_comments(OWNER, NAME, 1)}
    assert set(after) == {human.id, ours.id}
    assert after[human.id].body == body and pull.head_sha[:7] in after[ours.id].body
    assert github_api.violations == []


def test_a_human_review_comment_with_a_fingerprint_is_neither_codis_nor_deleted(
    settings: Settings, github_api: FakeGitHub
) -> None:
    # Pull request 1 shows codi's fingerprints for these Dockerfiles; pull request 2 has the same changes.
    first = seed_pull(github_api, number=1)
    assert run_jobs(settings, review_job(first))["complete"] == 1
    codis = {c.body.split(":", 1)[0]: parse_finding_marker(c.body) for c in github_api.review_comments(OWNER, NAME, 1)}
    cd_fingerprint = next(fp for head, fp in codis.items() if "DL3003" in head)
    assert cd_fingerprint is not None

    second = seed_pull(github_api, number=2)
    copied_body = f"Already reported, no need to.\n\n{finding_marker(cd_fingerprint)}\n"
    copied = github_api.add_review_comment(OWNER, NAME, 2, "Dockerfile", 3, copied_body, "mallory")
    stale = github_api.add_review_comment(OWNER, NAME, 2, "Dockerfile", 2, f"Fixed.\n\n{finding_marker(GONE)}\n", "eve")
    assert run_jobs(settings, review_job(second, delivery_id="delivery-pr2"))["complete"] == 1

    comments = github_api.review_comments(OWNER, NAME, 2)
    ours = [c for c in comments if c.author == BOT_LOGIN]
    assert sorted(parse_finding_marker(c.body) for c in ours) == sorted(codis.values())  # the DL3003 one too
    assert {c.id for c in comments} - {c.id for c in ours} == {copied.id, stale.id}
    assert _edits(github_api, "pulls/delete-review-comment") == []

    # Fixing the `cd` deletes codi's own comment on it, never the human's carrying the same fingerprint.
    github_api.push(OWNER, NAME, 2, {"Dockerfile": HEAD_DOCKERFILE.replace("RUN cd /tmp\n", "WORKDIR /tmp\n")})
    assert run_jobs(settings, review_job(second, "synchronize", "delivery-pr2-push"))["complete"] == 1
    cd_ours = next(c.id for c in ours if parse_finding_marker(c.body) == cd_fingerprint)
    deleted = _edits(github_api, "pulls/delete-review-comment")
    assert cd_ours in deleted and not {copied.id, stale.id} & set(deleted)
    remaining = {c.id for c in github_api.review_comments(OWNER, NAME, 2)}
    assert {copied.id, stale.id} <= remaining and cd_ours not in remaining
    assert github_api.violations == []


def test_the_bot_login_is_asked_of_get_app_once_per_process(settings: Settings, github_api: FakeGitHub) -> None:
    first, second = seed_pull(github_api, number=1), seed_pull(github_api, number=2)
    assert run_jobs(settings, review_job(first), review_job(second, delivery_id="delivery-pr2"))["complete"] == 2
    [app] = [r for r in github_api.requests if r.operation_id == "apps/get-authenticated"]
    assert (app.status, app.headers["authorization"].split()[0].lower()) == (200, "bearer")

    async def twice() -> list[str]:
        github = gateway(settings, Counter())
        try:
            return [await github.bot_login(), await github.bot_login()]
        finally:
            await github.close()

    assert asyncio.run(twice()) == [BOT_LOGIN, BOT_LOGIN]
    assert len([r for r in github_api.requests if r.operation_id == "apps/get-authenticated"]) == 2
    assert github_api.violations == []
