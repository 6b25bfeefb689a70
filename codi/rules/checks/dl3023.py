"""DL3023: `COPY --from` cannot name its own stage."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import copy_source


class CopyFromOwnStage(Rule):
    """## What it does
    Checks that `COPY --from=<name>` does not name the stage it is in.

    ## Why is this bad?
    A stage cannot copy from itself: its filesystem is what is being built.
    The build fails with a circular dependency.

    ## Example
    ```dockerfile
    FROM node:20 AS build
    COPY --from=build /app/dist /srv
    ```

    ## Use instead
    ```dockerfile
    FROM node:20 AS build
    RUN cp -r /app/dist /srv
    ```

    ## Fix safety
    No fix: what to copy from is not known.

    ## References
    - hadolint DL3023. Unlike hadolint, the alias compares
      case-insensitively and a `--from=${VAR}` is judged on the ARG's value,
      as BuildKit does.
    """

    code = "DL3023"
    severity = Severity.ERROR
    message = "`COPY --from` cannot reference its own `FROM` alias"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("COPY"):
            stage = ctx.stage_of(instr)
            source = copy_source(ctx, instr)
            if stage is None or stage.alias is None or source is None:
                continue
            if source.lower() == stage.alias.lower():
                yield self.finding(instr)
