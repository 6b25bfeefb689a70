"""DL4003: more than one CMD in a stage."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import repeated_in_stage


class MultipleCmd(Rule):
    """## What it does
    Reports every `CMD` after the first one in the same stage.

    ## Why is this bad?
    Only the last `CMD` takes effect; the earlier ones are dead code that
    misleads readers about how the container starts.

    ## Example
    ```dockerfile
    FROM debian:12
    CMD ["bash"]
    CMD ["app", "--serve"]
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12
    CMD ["app", "--serve"]
    ```

    ## Fix safety
    No fix: which `CMD` was meant is the author's call.

    ## References
    - hadolint DL4003
    """

    code = "DL4003"
    severity = Severity.WARNING
    message = (
        "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last `CMD` will take effect"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in repeated_in_stage(ctx, "CMD"):
            yield self.finding(instr)
