"""DL3030: use `-y` with `yum install`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.rules.fixes import first_arg, insertion_fix
from codi.knowledge.rpm import PROMPTING_INSTALLS, YUM_COMMANDS, installs_without_yes


class YumYes(Rule):
    """## What it does
    Checks that `yum install` (`groupinstall`, `localinstall`) runs with
    `-y` or `--assumeyes`.

    ## Why is this bad?
    Without it yum asks for confirmation; nobody answers during a build, so
    the install aborts.

    ## Example
    ```dockerfile
    RUN yum install httpd && yum clean all
    ```

    ## Use instead
    ```dockerfile
    RUN yum install -y httpd && yum clean all
    ```

    ## Fix safety
    Safe: inserts ` -y` after the install subcommand; it only answers the
    prompt the build cannot answer. Also checked inside `ONBUILD`.

    Later instructions are unaffected: the same packages are installed as
    when someone answers the prompt.

    ## References
    - hadolint DL3030
    """

    code = "DL3030"
    severity = Severity.WARNING
    message = "Use the -y switch to avoid manual input `yum install -y <package>`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            missing = [cmd for cmd in shell.commands if installs_without_yes(cmd, YUM_COMMANDS)]
            if not missing:
                continue
            anchors = (first_arg(cmd, PROMPTING_INSTALLS) for cmd in missing)
            fix = insertion_fix(instr, shell, anchors, " -y", "Add -y to yum install")
            yield self.finding(instr, fix=fix)
