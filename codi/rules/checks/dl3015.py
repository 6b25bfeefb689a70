"""DL3015: use `--no-install-recommends` with `apt-get install`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.knowledge.apt import is_apt_get_install
from codi.rules.base import LintContext, Rule
from codi.rules.fixes import first_arg, insertion_fix


class AptGetNoInstallRecommends(Rule):
    """## What it does
    Checks that `apt-get install` runs with `--no-install-recommends` (or the
    equivalent `-o APT::Install-Recommends=false`).

    ## Why is this bad?
    By default apt also installs every package the requested ones merely
    recommend: larger images, longer builds and more code to patch, for
    packages nobody asked for.

    ## Example
    ```dockerfile
    RUN apt-get install -y curl
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get install -y --no-install-recommends curl
    ```

    ## Fix safety
    Safe: inserts ` --no-install-recommends` after `install`. Every requested
    package is still installed with its hard dependencies; only recommended
    extras go. (A build that silently relied on a recommended package then
    fails loudly rather than differently.) Also checked inside `ONBUILD`.

    ## References
    - hadolint DL3015
    - https://wiki.debian.org/ReduceDebian
    """

    code = "DL3015"
    severity = Severity.INFO
    message = "Avoid additional packages by specifying `--no-install-recommends`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            missing = [cmd for cmd in shell.commands if _keeps_recommends(cmd)]
            if not missing:
                continue
            anchors = (first_arg(cmd, ("install",)) for cmd in missing)
            option = " --no-install-recommends"
            fix = insertion_fix(instr, shell, anchors, option, "Add --no-install-recommends to apt-get install")
            yield self.finding(instr, fix=fix)


def _keeps_recommends(cmd: Command) -> bool:
    if not is_apt_get_install(cmd):
        return False
    return not (cmd.has_flag("no-install-recommends") or cmd.has_args("APT::Install-Recommends=false"))
