"""DL3067: do not copy a whole filesystem from another stage."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.knowledge.arguments import argument_values
from codi.rules.base import LintContext, Rule


class CopyWholeFilesystem(Rule):
    """## What it does
    Checks for `COPY --from=<stage> / /`.

    ## Why is this bad?
    It copies every file of the other stage, compilers, caches and package
    databases included, over the current one: the image grows and the
    multi-stage build loses its point; it also overwrites this stage's
    `/etc/passwd` and friends.

    ## Example
    ```dockerfile
    COPY --from=build / /
    ```

    ## Use instead
    ```dockerfile
    COPY --from=build /app/bin/server /usr/local/bin/server
    ```

    ## Fix safety
    No fix: which files are needed is not known.

    ## References
    - hadolint DL3067
    """

    code = "DL3067"
    severity = Severity.WARNING
    message = "Do not copy an entire filesystem from another stage"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("COPY"):
            if instr.flag("from") is None:
                continue
            paths = argument_values(instr)
            if len(paths) >= 2 and paths[-1] == "/" and "/" in paths[:-1]:
                yield self.finding(instr)
