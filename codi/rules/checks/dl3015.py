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
    Unsafe: inserts ` --no-install-recommends` after `install`. Every
    requested package is still installed with its hard dependencies, but the
    recommended ones go, and later steps often use them without naming
    them: `curl`/`wget` reach https through `ca-certificates` (recommended by
    libcurl and openssl, absent from `debian:*-slim`), `git clone` over ssh
    needs `openssh-client`, `gpg --recv-keys` needs `dirmngr`, `pip install`
    of a source package needs the compilers `python3-pip` recommends. A later
    RUN of the stage, a stage built on it or the application itself may then
    fail; build and run the image after the change, adding the packages it
    turns out to need. Also checked inside `ONBUILD`.

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
            description = "Add --no-install-recommends to apt-get install"
            fix = insertion_fix(instr, shell, anchors, option, description, safe=False)
            yield self.finding(instr, fix=fix)


def _keeps_recommends(cmd: Command) -> bool:
    if not is_apt_get_install(cmd):
        return False
    return not (cmd.has_flag("no-install-recommends") or cmd.has_args("APT::Install-Recommends=false"))
