"""Whether a review may build a pull request's head commit: default-deny, since a build runs the PR's code.

Built without asking: pull requests whose author has write access and whose head
branch lives in this repository (`builds.trust: branches`, the default), or in a fork
too (`collaborators`). Everything else (forks, deleted forks, authors without write
access, or every PR under `trust: none`) waits for `/codi build` by someone with write
access, which approves one head commit. The decision reads the pull request from the
API, not the webhook payload, the trust level from the base branch's config, and the
approval of the very commit being built, so neither the PR nor a later push can
widen it; and the approver's write access is asked again when the review builds, so an
approval by someone who has lost it since builds nothing.
"""

from __future__ import annotations

import asyncio
import logging

from codi.comments.markdown import code_span
from codi.pipeline.config import BuildSettings
from codi.storage.approvals import ApprovalStore
from codi.webhooks.jobs import RepoRef
from codi.worker.github import GitHubGateway

log = logging.getLogger("codi.worker")


async def build_refusal(
    github: GitHubGateway,
    approvals: ApprovalStore,
    repo: RepoRef,
    pull_number: int,
    head_sha: str,
    builds: BuildSettings,
) -> str | None:
    """Why `head_sha` must not be built yet (the summary's note, saying how to approve it), or None.

    Asked when the review is about to build, not when `/codi build` ran: an approval whose approver has since
    lost write access no longer counts, and the note names it.
    """
    recorded = await asyncio.to_thread(approvals.approvals, repo.full_name, pull_number, head_sha)
    lapsed = []
    for approval in recorded:
        if await github.can_write(repo, approval.approver):
            return None
        log.warning("%s#%d@%s: the approval by %s lapsed: no write access now", repo.full_name, pull_number,
                    head_sha, approval.approver)  # fmt: skip
        lapsed.append(approval.approver)
    pull = await github.pull_request(repo, pull_number)
    if builds.trust == "none":
        reason = "this repository's `.codi.yml` asks for an approval of every pull request (`builds: trust: none`)"
    elif not pull.head_repo_full_name:
        reason = "the repository this pull request comes from was deleted"
    elif pull.is_fork and builds.trust != "collaborators":
        reason = f"this pull request comes from the fork {code_span(pull.head_repo_full_name)}"
    elif not await github.can_write(repo, pull.author):
        reason = f"its author {code_span(pull.author)} has no write access to this repository"
    else:
        return None
    lapsed_note = (
        f"The approval by {', '.join(code_span(name) for name in lapsed)} no longer holds: "
        "its approver has lost write access to this repository. "
        if lapsed
        else ""
    )
    return (
        f"Builds await approval: {reason}, and a build runs the pull request's code. {lapsed_note}"
        f"Someone with write access can comment `/codi build` to build commit {code_span(head_sha[:7])}; "
        "each new push needs a new approval."
    )
