"""DL3000: use absolute WORKDIR."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule


class AbsoluteWorkdir(Rule):
    """## What it does
    Checks that every `WORKDIR` is an absolute path (or starts with a variable).

    ## Why is this bad?
    A relative `WORKDIR` is resolved against the previous one, so its meaning
    depends on the base image and on instruction order; a later edit silently
    moves files elsewhere.

    ## Example
    ```dockerfile
    WORKDIR app
    ```

    ## Use instead
    ```dockerfile
    WORKDIR /app
    ```

    ## Fix safety
    No fix: the intended absolute path is not known.

    ## References
    - hadolint DL3000
    """

    code = "DL3000"
    severity = Severity.ERROR
    message = "Use absolute WORKDIR"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("WORKDIR"):
            path = instr.args.strip().strip("\"'")
            if not path or path.startswith(("/", "$")) or _is_windows_absolute(path):
                continue
            yield self.finding(instr)


def _is_windows_absolute(path: str) -> bool:
    return len(path) >= 2 and path[0].isalpha() and path[1] == ":"
