"""DL3034: zypper without its non-interactive switch."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule
from codi.rules.fixes import insertion_fix

_PROMPTING_SUBCOMMANDS = ("install", "in", "remove", "rm", "source-install", "si", "patch")


class ZypperNonInteractive(Rule):
    """## What it does
    Checks that `zypper install`/`remove`/`source-install`/`patch` run with
    `-n`/`--non-interactive` or `-y`/`--no-confirm`.

    ## Why is this bad?
    Without it zypper asks for confirmation; in a build there is nobody to
    answer, so the command aborts.

    ## Example
    ```dockerfile
    RUN zypper install httpd
    ```

    ## Use instead
    ```dockerfile
    RUN zypper --non-interactive install httpd
    ```

    ## Fix safety
    Safe: inserts the global option ` --non-interactive` right after `zypper`,
    which every subcommand accepts there; it only answers the prompt the
    build cannot answer. Offered on shell-form RUNs. Also checked inside
    `ONBUILD`.

    Later instructions are unaffected: without it zypper would stop at its
    first question, with no one to answer.

    ## References
    - hadolint DL3034
    """

    code = "DL3034"
    severity = Severity.WARNING
    message = "Non-interactive switch missing from `zypper` command: `zypper install -y`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            missing = [cmd for cmd in shell.commands if _forgot_non_interactive(cmd)]
            if not missing:
                continue
            anchors = (cmd.name_word for cmd in missing)
            fix = insertion_fix(instr, shell, anchors, " --non-interactive", "Add --non-interactive to zypper")
            yield self.finding(instr, fix=fix)


def _forgot_non_interactive(cmd: Command) -> bool:
    return (
        cmd.name == "zypper"
        and cmd.has_args(*_PROMPTING_SUBCOMMANDS)
        and not cmd.has_any_flag("non-interactive", "n", "no-confirm", "y")
    )
