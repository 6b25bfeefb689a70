"""DL3050: superfluous labels (with `strict-labels`)."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.rules.labels import label_pairs


class SuperfluousLabel(Rule):
    """## What it does
    With `strict-labels: true`, checks that every `LABEL` only sets labels
    listed in the configured `label-schema`.

    ## Why is this bad?
    A team that keeps a label schema wants image metadata to stay within it;
    stray labels are usually typos of schema names or leftovers nobody reads.

    ## Example
    ```dockerfile
    # label-schema: {maintainer: email}, strict-labels: true
    LABEL maintainer="ops@example.com" mantainer="ops@example.com"
    ```

    ## Use instead
    ```dockerfile
    LABEL maintainer="ops@example.com"
    ```

    ## Fix safety
    No fix: removing metadata could break whoever reads it.

    ## References
    - hadolint DL3050
    """

    code = "DL3050"
    severity = Severity.INFO
    message = "Superfluous label(s) present."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        if not ctx.config.strict_labels:
            return
        schema = ctx.config.label_schema
        for instr in ctx.instructions("LABEL"):
            if any(name not in schema for name, _ in label_pairs(instr)):
                yield self.finding(instr)
