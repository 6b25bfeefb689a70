"""DL3063: a stage name must not be a reserved word."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule

_RESERVED = frozenset({"scratch", "context"})


class ReservedStageName(Rule):
    """## What it does
    Checks that no stage is named `scratch` or `context`.

    ## Why is this bad?
    `scratch` is the empty base image and `context` names the build context in
    `COPY --from`/`--mount=from`; a stage with one of these names is ambiguous,
    and BuildKit's own `ReservedStageName` check rejects it.

    ## Example
    ```dockerfile
    FROM alpine:3.20 AS scratch
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20 AS base
    ```

    ## Fix safety
    No fix: a new name has to be chosen and every reference renamed.

    Stage names are compared case-insensitively, as BuildKit lowercases them
    (hadolint only catches the lowercase spelling).

    ## References
    - hadolint DL3063
    - BuildKit check ReservedStageName
    """

    code = "DL3063"
    severity = Severity.WARNING
    message = "stage name should not be a reserved word"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            if stage.alias is not None and stage.alias.lower() in _RESERVED:
                yield self.finding(stage.from_instr)
