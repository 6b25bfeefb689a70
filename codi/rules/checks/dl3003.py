"""DL3003: use WORKDIR to switch to a directory."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule


class CdInsteadOfWorkdir(Rule):
    """## What it does
    Reports RUN instructions that use `cd`.

    ## Why is this bad?
    A `cd` lasts for one RUN only; the next instruction starts again in the
    WORKDIR. Scripts that `cd` around are harder to follow, and a missing `cd`
    in a later RUN silently works in the wrong directory. `WORKDIR` states the
    directory once, for every following instruction.

    ## Example
    ```dockerfile
    RUN cd /usr/src/app && git pull
    ```

    ## Use instead
    ```dockerfile
    WORKDIR /usr/src/app
    RUN git pull
    ```

    ## Fix safety
    No fix: a WORKDIR also changes the directory of every later instruction
    (and of the running container), which the `cd` did not.

    ## References
    - hadolint DL3003
    """

    code = "DL3003"
    severity = Severity.WARNING
    message = "Use WORKDIR to switch to a directory"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN"):
            if ctx.shell(instr).using("cd"):
                yield self.finding(instr)
