"""DL3002: the last USER should not be root."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import Stage, expand
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import stage_and_ancestors


class LastUserRoot(Rule):
    """## What it does
    Checks the user the final image runs as: if the last `USER` that applies
    to the last stage is `root` or UID `0` (with or without a group), that
    `USER` line is reported. When the last stage has no `USER`, the stage it
    is built `FROM` is looked at, and so on, so a root user inherited from an
    earlier stage is reported on the line that set it.

    Differs from hadolint on purpose: hadolint reports every stage that ends
    as root, but a builder stage whose files are only copied out never runs
    as a container, so only the stages that make up the final image count.
    Variables in `USER` are expanded with the ARG/ENV values in scope.

    ## Why is this bad?
    A container running as root turns any code-execution bug into root on the
    container, one kernel or runtime bug away from the host.

    ## Example
    ```dockerfile
    FROM debian:12
    USER root
    RUN apt-get update
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12
    RUN apt-get update
    USER app
    ```

    ## Fix safety
    No fix: which unprivileged user exists and can run the image is not known.

    ## References
    - hadolint DL3002
    """

    code = "DL3002"
    severity = Severity.WARNING
    message = "Last USER should not be root"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        if not ctx.model.stages:
            return
        user = _effective_user(ctx.model.stages[-1])
        if user is not None and _is_root(expand(user.args.strip(), ctx.model.variables_at(user))):
            yield self.finding(user)


def _effective_user(stage: Stage) -> Instruction | None:
    """The last USER of `stage`, or of the stage it is built from when it has none."""
    for ancestor in stage_and_ancestors(stage):
        users = [instr for instr in ancestor.instructions if instr.keyword == "USER"]
        if users:
            return users[-1]
    return None


def _is_root(user: str) -> bool:
    name = user.split(":", 1)[0]
    return name in ("root", "0")
