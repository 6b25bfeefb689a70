"""DL3022: `COPY --from` should name an earlier stage."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import expand
from codi.rules.base import LintContext, Rule


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


def names_visible_stage(ctx: LintContext, instr: Instruction, name: str) -> bool:
    """Whether `name` is the alias or index of a stage defined up to the one holding `instr`."""
    stage = ctx.stage_of(instr)
    visible = ctx.model.stages[: stage.index + 1] if stage is not None else []
    if name.isdigit():
        return int(name) < len(visible)
    return any(earlier.alias is not None and earlier.alias.lower() == name.lower() for earlier in visible)


def copy_source(ctx: LintContext, instr: Instruction) -> str | None:
    """The value of `--from`, with the ARG/ENV values visible to the COPY expanded."""
    flag = instr.flag("from")
    if flag is None or flag.value is None:
        return None
    return expand(flag.value, ctx.model.variables_at(instr))
