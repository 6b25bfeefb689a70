"""DL3027: do not use `apt` in scripts."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule
from codi.rules.fixes import exact_script

# apt subcommands apt-get also has, under the same name.
_SHARED_SUBCOMMANDS = frozenset({"install", "update", "upgrade", "remove", "purge", "autoremove", "clean"})


class NoApt(Rule):
    """## What it does
    Checks that RUN scripts call `apt-get` (or `apt-cache`) rather than `apt`.

    ## Why is this bad?
    `apt` is the interactive front end: its output and behaviour may change
    between releases and it warns "apt does not have a stable CLI interface.
    Use with caution in scripts."

    ## Example
    ```dockerfile
    RUN apt update && apt install -y curl
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y curl
    ```

    ## Fix safety
    Unsafe: `apt` becomes `apt-get` when every `apt` call of the RUN uses a
    subcommand both share (install, update, upgrade, remove, purge,
    autoremove, clean). The two differ in details — `apt upgrade` installs
    new dependencies that `apt-get upgrade` holds back, and `apt` sets
    different defaults — so review the result. Also checked inside
    `ONBUILD`.

    Later steps see the packages `apt-get` installs, which differ from
    `apt`'s only as said above.

    ## References
    - hadolint DL3027
    - https://manpages.debian.org/apt.8
    """

    code = "DL3027"
    severity = Severity.WARNING
    message = "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            calls = [cmd for cmd in shell.commands if cmd.name == "apt"]
            if not calls:
                continue
            fix = _fix(instr, calls) if exact_script(shell) is not None else None
            yield self.finding(instr, fix=fix)


def _fix(instr: Instruction, calls: list[Command]) -> Fix | None:
    if not all(_subcommand(cmd) in _SHARED_SUBCOMMANDS for cmd in calls):
        return None
    edits = []
    for cmd in calls:
        span = instr.args_span(cmd.name_word.start, cmd.name_word.end)
        edits.append(Edit(span.start, span.end, "apt-get"))
    return Fix.unsafe("Use apt-get instead of apt", *edits)


def _subcommand(cmd: Command) -> str | None:
    return next((value for value in cmd.values if not value.startswith("-")), None)
