"""DL3061: a Dockerfile must begin with FROM or ARG."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule


class InvalidInstructionOrder(Rule):
    """## What it does
    Reports every instruction before the first `FROM` other than `ARG`
    (comments and parser directives are not instructions).

    ## Why is this bad?
    Only global `ARG`s may precede the first `FROM`; the builder rejects
    anything else, so the Dockerfile does not build.

    ## Example
    ```dockerfile
    LABEL maintainer="ops@example.com"
    FROM debian:12
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12
    LABEL maintainer="ops@example.com"
    ```

    ## Fix safety
    No fix: where the instruction belongs (first stage, every stage) is a
    choice.

    ## References
    - hadolint DL3061
    """

    code = "DL3061"
    severity = Severity.ERROR
    message = "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions():
            if instr.keyword == "FROM":
                return
            if instr.keyword != "ARG":
                yield self.finding(instr)
