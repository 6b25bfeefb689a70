"""DL3051: a label of the schema is set to an empty value."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.rules.labels import labels_with_bad_values


class EmptySchemaLabel(Rule):
    """## What it does
    Checks that labels named in the configured `label-schema` are not set to
    an empty string.

    ## Why is this bad?
    An empty value satisfies "the label exists" while carrying no
    information; it usually means a build argument was not passed.

    ## Example
    ```dockerfile
    # label-schema: {org.opencontainers.image.revision: hash}
    LABEL org.opencontainers.image.revision=""
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.revision="3f2c1a9"
    ```

    ## Fix safety
    No fix: the value is not known.

    ## References
    - hadolint DL3051
    """

    code = "DL3051"
    severity = Severity.WARNING
    message = "label `<label>` is empty."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr, name in labels_with_bad_values(ctx, None, bool):
            yield self.finding(instr, f"label `{name}` is empty.")
