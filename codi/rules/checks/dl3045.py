"""DL3045: COPY to a relative destination without WORKDIR."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import Stage
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import stage_and_ancestors


class CopyRelativeWithoutWorkdir(Rule):
    """## What it does
    Checks that a `COPY` to a relative destination (`.` included) comes after
    a `WORKDIR` of its stage or of a stage it is built `FROM`.

    ## Why is this bad?
    A relative destination is resolved against the working directory the
    base image happens to set (often `/`); files land somewhere unexpected
    and move when the base image changes.

    ## Example
    ```dockerfile
    FROM python:3.12
    COPY app.py .
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12
    WORKDIR /app
    COPY app.py .
    ```

    ## Fix safety
    No fix: the intended directory is not known.

    Destinations starting with `/`, a Windows drive (`C:`) or a variable are
    absolute enough. A stage inherits WORKDIR only from the stage it is built
    `FROM`; hadolint also lets a stage inherit from an unrelated earlier
    stage with the same base image.

    ## References
    - hadolint DL3045
    """

    code = "DL3045"
    severity = Severity.WARNING
    message = "`COPY` to a relative destination without `WORKDIR` set."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        with_workdir: set[int] = set()
        for instr in ctx.document.instructions:
            stage = ctx.stage_of(instr)
            if instr.keyword == "WORKDIR" and stage is not None:
                with_workdir.add(stage.index)
            elif instr.keyword == "COPY" and _is_relative(_destination(instr)):
                if not _workdir_set(stage, with_workdir):
                    yield self.finding(instr)


def _workdir_set(stage: Stage | None, with_workdir: set[int]) -> bool:
    return any(ancestor.index in with_workdir for ancestor in stage_and_ancestors(stage))


def _destination(instr: Instruction) -> str | None:
    if instr.exec_form is not None:
        return instr.exec_form[-1] if instr.exec_form else None
    return instr.words[-1].raw.strip("\"'") if instr.words else None


def _is_relative(path: str | None) -> bool:
    if not path:
        return False
    windows_absolute = len(path) >= 2 and path[0].isalpha() and path[1] == ":"
    return not (path.startswith(("/", "$")) or windows_absolute)
