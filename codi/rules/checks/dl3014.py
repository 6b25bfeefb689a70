"""DL3014: use the `-y` switch with `apt-get install`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.knowledge.apt import is_apt_get_install
from codi.rules.base import LintContext, Rule
from codi.rules.fixes import first_arg, insertion_fix


class AptGetYes(Rule):
    """## What it does
    Checks that `apt-get install` runs with `-y` (or `--yes`, `--assume-yes`, `-qq`).

    ## Why is this bad?
    Without it apt-get asks for confirmation; in a build there is nobody to
    answer, so the install aborts (or, with some packages, hangs).

    ## Example
    ```dockerfile
    RUN apt-get install curl
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get install -y curl
    ```

    ## Fix safety
    Safe: inserts ` -y` after `install`; it only answers the prompt the build
    cannot answer. Also checked inside `ONBUILD`.

    Later instructions are unaffected: the same packages are installed as
    when someone answers the prompt.

    ## References
    - hadolint DL3014
    """

    code = "DL3014"
    severity = Severity.WARNING
    message = "Use the `-y` switch to avoid manual input `apt-get -y install <package>`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            missing = [cmd for cmd in shell.commands if _forgot_yes(cmd)]
            if not missing:
                continue
            anchors = (first_arg(cmd, ("install",)) for cmd in missing)
            fix = insertion_fix(instr, shell, anchors, " -y", "Add -y to apt-get install")
            yield self.finding(instr, fix=fix)


def _forgot_yes(cmd: Command) -> bool:
    if not is_apt_get_install(cmd):
        return False
    return not (
        cmd.has_any_flag("y", "yes", "qq", "assume-yes")
        or cmd.count_flag("q") == 2
        or cmd.count_flag("quiet") == 2
        or "-q=2" in cmd.values
    )
