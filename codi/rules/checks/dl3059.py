"""DL3059: multiple consecutive RUN instructions."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.rules.base import LintContext, Rule


class ConsecutiveRun(Rule):
    """## What it does
    Reports a `RUN` that directly follows another `RUN` (comments and blank
    lines in between do not count) when both run a single command and both
    have the same flags (`--mount`, `--network`, `--security`).

    A `RUN` that chains several commands (`a && b`, `a; b`, a pipe) is taken
    as a deliberate split, as in hadolint; so is a change of flags. The next
    candidate is compared with the last `RUN` that was not reported.

    ## Why is this bad?
    Each `RUN` makes a layer; a row of one-command `RUN`s makes the image
    bigger and the build slower than one `RUN` chaining them.

    ## Example
    ```dockerfile
    RUN apt-get update
    RUN apt-get install -y curl
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y curl
    ```

    ## Fix safety
    No fix: merging changes layer caching, and where a failure should stop
    the chain is the author's choice.

    ## References
    - hadolint DL3059
    """

    code = "DL3059"
    severity = Severity.INFO
    message = "Multiple consecutive `RUN` instructions. Consider consolidation."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        previous: tuple[tuple[tuple[str, str | None], ...], int] | None = None
        for instr in ctx.instructions():
            if instr.keyword != "RUN":
                previous = None
                continue
            flags, commands = _run_flags(instr), _count_commands(ctx, instr)
            if previous is None or previous[0] != flags or commands > 1 or previous[1] > 1:
                previous = (flags, commands)
            else:
                yield self.finding(instr)


def _count_commands(ctx: LintContext, instr: Instruction) -> int:
    """Commands with a literal name, as hadolint counts them (`$(…)/bin/tool` is not one, its inner command is)."""
    return sum(1 for cmd in ctx.shell(instr).commands if "$" not in cmd.name and "`" not in cmd.name)


def _run_flags(instr: Instruction) -> tuple[tuple[str, str | None], ...]:
    """The RUN's flags in a fixed order; a flag without a value (`--mount --mount=…`) sorts first."""
    pairs = ((flag.name, flag.value) for flag in instr.flags)
    return tuple(sorted(pairs, key=lambda pair: (pair[0], pair[1] is not None, pair[1] or "")))
