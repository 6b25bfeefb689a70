"""DL3038: use the `-y` switch with `dnf install`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.rules.fixes import first_arg, insertion_fix
from codi.knowledge.rpm import DNF_COMMANDS, PROMPTING_INSTALLS, installs_without_yes


class DnfYes(Rule):
    """## What it does
    Checks that `dnf install` and `microdnf install` (and `groupinstall`,
    `localinstall`) run with `-y` (or `--assumeyes`).

    ## Why is this bad?
    Without it dnf asks for confirmation; in a build there is nobody to
    answer, so the install aborts.

    ## Example
    ```dockerfile
    RUN dnf install httpd-2.4.24 && dnf clean all
    ```

    ## Use instead
    ```dockerfile
    RUN dnf install -y httpd-2.4.24 && dnf clean all
    ```

    ## Fix safety
    Safe: inserts ` -y` after the install subcommand; it only answers the
    prompt the build cannot answer. Offered on shell-form RUNs. Also checked
    inside `ONBUILD`.

    Later instructions are unaffected: the same packages are installed as
    when someone answers the prompt.

    ## References
    - hadolint DL3038
    """

    code = "DL3038"
    severity = Severity.WARNING
    message = "Use the -y switch to avoid manual input `dnf install -y <package>`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            missing = [cmd for cmd in shell.commands if installs_without_yes(cmd, DNF_COMMANDS)]
            if not missing:
                continue
            anchors = (first_arg(cmd, PROMPTING_INSTALLS) for cmd in missing)
            fix = insertion_fix(instr, shell, anchors, " -y", "Add -y to dnf install")
            yield self.finding(instr, fix=fix)
