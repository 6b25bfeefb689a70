"""DL3021: COPY of several sources needs a destination folder ending in `/`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.knowledge.arguments import argument_values
from codi.rules.base import LintContext, Rule


class CopyManySourcesToFolder(Rule):
    """## What it does
    Checks that a `COPY` with more than one source names a destination that
    ends with `/`.

    ## Why is this bad?
    With several sources the destination must be a directory; without the
    trailing slash the build fails ("When using COPY with more than one
    source file, the destination must be a directory and end with a /").

    ## Example
    ```dockerfile
    COPY package.json yarn.lock /app
    ```

    ## Use instead
    ```dockerfile
    COPY package.json yarn.lock /app/
    ```

    ## Fix safety
    No fix: whether the author meant a folder or fewer sources is theirs to
    say, and a destination given by a variable may already end in `/` (the
    rule, like hadolint's, still flags it). Not checked inside `ONBUILD`, as
    in hadolint.

    ## References
    - hadolint DL3021
    - https://docs.docker.com/reference/dockerfile/#copy
    """

    code = "DL3021"
    severity = Severity.ERROR
    message = "COPY with more than 2 arguments requires the last argument to end with /"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("COPY"):
            paths = argument_values(instr)
            if len(paths) > 2 and not paths[-1].endswith("/"):
                yield self.finding(instr)
