"""DL3022: `COPY --from` should name an earlier stage."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import copy_source, names_visible_stage


class CopyFromKnownStage(Rule):
    """## What it does
    Checks that `COPY --from=<name>` names a stage defined by an earlier (or
    the current) `FROM … AS <name>`, a valid stage index, or an image with a
    tag or digest (`--from=nginx:1.25`).

    ## Why is this bad?
    A name that is no stage is pulled as an image: a typo in a stage name or
    a stage defined further down silently copies from Docker Hub's image of
    that name instead (or fails the build).

    ## Example
    ```dockerfile
    FROM golang:1.22 AS build
    FROM alpine:3.19
    COPY --from=biuld /out/app /app
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.22 AS build
    FROM alpine:3.19
    COPY --from=build /out/app /app
    ```

    ## Fix safety
    No fix: the intended stage is not known.

    ## References
    - hadolint DL3022. As in hadolint, an image counts only when it carries
      a tag or digest (anything with `:`), so `--from=alpine` is reported
      (name it with a tag or a `FROM … AS` stage). Unlike hadolint, stage
      names compare case-insensitively and a `--from=${VAR}` is judged on the
      value of the ARG, as BuildKit does.
    - https://docs.docker.com/build/building/multi-stage/
    """

    code = "DL3022"
    severity = Severity.WARNING
    message = "`COPY --from` should reference a previously defined `FROM` alias"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("COPY"):
            source = copy_source(ctx, instr)
            if source is None or ":" in source or names_visible_stage(ctx, instr, source):
                continue
            yield self.finding(instr)
