"""DL3043: ONBUILD may not trigger ONBUILD, FROM or MAINTAINER."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule

_FORBIDDEN_TRIGGERS = frozenset({"ONBUILD", "FROM", "MAINTAINER"})


class OnbuildForbiddenTrigger(Rule):
    """## What it does
    Checks for `ONBUILD ONBUILD`, `ONBUILD FROM` and `ONBUILD MAINTAINER`.

    ## Why is this bad?
    Docker refuses these triggers: the image builds, but every image built
    `FROM` it fails.

    ## Example
    ```dockerfile
    ONBUILD FROM debian:12
    ```

    ## Use instead
    ```dockerfile
    ONBUILD COPY . /app
    ```

    ## Fix safety
    No fix: what the trigger was meant to do is not known.

    ## References
    - hadolint DL3043
    - https://docs.docker.com/reference/dockerfile/#onbuild
    """

    code = "DL3043"
    severity = Severity.ERROR
    message = "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("ONBUILD"):
            if instr.inner is not None and instr.inner.keyword in _FORBIDDEN_TRIGGERS:
                yield self.finding(instr)
