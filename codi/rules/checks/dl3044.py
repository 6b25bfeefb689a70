"""DL3044: ENV referring to a variable defined in the same ENV."""

from __future__ import annotations

import re
from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import key_values
from codi.rules.base import LintContext, Rule

_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")


class EnvSelfReference(Rule):
    """## What it does
    Checks for an `ENV` that defines a variable and refers to it in another
    pair of the same instruction (`ENV A=1 B=$A`), unless it was already
    defined by an earlier ARG or ENV in scope.

    ## Why is this bad?
    Every `$VAR` of an ENV is replaced with the value from *before* the
    instruction, so `B` gets the old value of `A` (often empty), not `1`.

    ## Example
    ```dockerfile
    ENV APP_HOME=/app APP_BIN=${APP_HOME}/bin
    ```

    ## Use instead
    ```dockerfile
    ENV APP_HOME=/app
    ENV APP_BIN=${APP_HOME}/bin
    ```

    ## Fix safety
    No fix: splitting the ENV is what was probably meant, but it changes
    the value the build sees.

    A variable counts as already defined only when it is in scope (an ARG or
    ENV of this stage or of the stage it is built `FROM`); hadolint counts
    any earlier ARG or ENV of the file. References inside single quotes are
    not expanded by Docker and are ignored.

    ## References
    - hadolint DL3044
    """

    code = "DL3044"
    severity = Severity.ERROR
    message = "Do not refer to an environment variable within the same `ENV` statement where it is defined."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("ENV"):
            pairs = key_values(instr)
            if len(pairs) < 2:
                continue
            defined_before = ctx.model.variables_at(instr)
            references = [_references(_raw_value(instr, pair.start, pair.end)) for pair in pairs]
            if any(
                pair.key not in defined_before
                and any(pair.key in refs for other, refs in enumerate(references) if other != index)
                for index, pair in enumerate(pairs)
            ):
                yield self.finding(instr)


def _raw_value(instr: Instruction, start: int, end: int) -> str:
    return instr.args[start:end].partition("=")[2]


def _references(raw: str) -> set[str]:
    """Names of the variables `raw` expands: single-quoted text and `\\$` are blanked out."""
    visible = list(raw)
    quote = ""
    index = 0
    while index < len(raw):
        char = raw[index]
        if quote == "'":
            quote = "" if char == "'" else quote
            visible[index] = " "
        elif char == "\\":
            visible[index : index + 2] = " " * len(visible[index : index + 2])
            index += 1
        elif char == "'" and not quote:
            quote = "'"
            visible[index] = " "
        elif char == '"':
            quote = "" if quote else '"'
            visible[index] = " "
        index += 1
    return {braced or bare for braced, bare in _REFERENCE.findall("".join(visible))}
