"""CD1001: the final stage never sets USER."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import Stage
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import stage_and_ancestors

# Tags of images published to run as a non-root user (distroless `:nonroot`, …).
_NON_ROOT_TAG_WORDS = ("nonroot", "non-root", "rootless")


class MissingUser(Rule):
    """## What it does
    Checks that the final stage (or a stage it is built `FROM`) has a `USER`
    instruction.

    ## Why is this bad?
    Without `USER` the container runs as the base image's user, root for
    almost every image, so a compromise of the process is a compromise of
    root in the container, one kernel bug away from the host.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY app.py /app/
    CMD ["python", "/app/app.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN useradd --uid 10001 --no-create-home app
    COPY app.py /app/
    USER 10001
    CMD ["python", "/app/app.py"]
    ```

    ## Fix safety
    No fix: the user has to exist in the image and own the files it needs.

    DL3002 judges the last `USER` when there is one; this rule reports its
    absence. Images whose tag says they run as non-root (`:nonroot`,
    `:rootless`) pass. Reported on the final `FROM`.

    ## References
    - Trivy AVD-DS-0002
    - Checkov CKV_DOCKER_3
    """

    code = "CD1001"
    severity = Severity.WARNING
    message = "No `USER` in the final stage: the container runs as root"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        if not ctx.model.stages:
            return
        final = ctx.model.stages[-1]
        if not _sets_user(final):
            yield self.finding(final.from_instr)


def _sets_user(stage: Stage) -> bool:
    for ancestor in stage_and_ancestors(stage):
        if any(instr.keyword == "USER" for instr in ancestor.instructions):
            return True
        tag = (ancestor.image.tag or "").lower()
        if ancestor.parent is None and any(word in tag for word in _NON_ROOT_TAG_WORDS):
            return True
    return False
