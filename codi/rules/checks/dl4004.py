"""DL4004: more than one ENTRYPOINT in a stage."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import repeated_in_stage


class MultipleEntrypoint(Rule):
    """## What it does
    Reports every `ENTRYPOINT` after the first one in the same stage.

    ## Why is this bad?
    Only the last `ENTRYPOINT` takes effect; the earlier ones are dead code
    that misleads readers about how the container starts.

    ## Example
    ```dockerfile
    FROM debian:12
    ENTRYPOINT ["bash"]
    ENTRYPOINT ["/app"]
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12
    ENTRYPOINT ["/app"]
    ```

    ## Fix safety
    No fix: which `ENTRYPOINT` was meant is the author's call.

    ## References
    - hadolint DL4004
    """

    code = "DL4004"
    severity = Severity.ERROR
    message = (
        "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then only the last "
        "`ENTRYPOINT` will take effect"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in repeated_in_stage(ctx, "ENTRYPOINT"):
            yield self.finding(instr)
