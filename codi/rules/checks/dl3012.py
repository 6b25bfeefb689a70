"""DL3012: multiple HEALTHCHECK instructions."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule


class MultipleHealthchecks(Rule):
    """## What it does
    Reports every `HEALTHCHECK` after the first one of the same stage.

    ## Why is this bad?
    Only the last `HEALTHCHECK` of an image takes effect; the earlier ones are
    dead code that readers take for the active check.

    ## Example
    ```dockerfile
    FROM nginx:1.27
    HEALTHCHECK CMD curl -f http://localhost/ || exit 1
    HEALTHCHECK CMD wget -qO- http://localhost/ || exit 1
    ```

    ## Use instead
    ```dockerfile
    FROM nginx:1.27
    HEALTHCHECK CMD wget -qO- http://localhost/ || exit 1
    ```

    ## Fix safety
    No fix: which of the checks was meant is not known.

    ## References
    - hadolint DL3012
    """

    code = "DL3012"
    severity = Severity.ERROR
    message = "Multiple `HEALTHCHECK` instructions"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen = False
        for instr in ctx.instructions("FROM", "HEALTHCHECK"):
            if instr.keyword == "FROM":
                seen = False
            elif seen:
                yield self.finding(instr)
            else:
                seen = True
