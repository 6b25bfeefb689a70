"""DL3036: `zypper clean` missing after zypper install."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.rules.fixes import append_after_last
from codi.rules.rpm import clean_missing


class ZypperClean(Rule):
    """## What it does
    Checks that a RUN installing packages with `zypper install` runs
    `zypper clean` (or `zypper cc`) after the last install, unless
    `/var/cache/zypp` is a cache or tmpfs mount.

    ## Why is this bad?
    The downloaded packages stay in `/var/cache/zypp` and end up in the
    layer, making the image larger for nothing.

    ## Example
    ```dockerfile
    RUN zypper install -y httpd=2.4.51
    ```

    ## Use instead
    ```dockerfile
    RUN zypper install -y httpd=2.4.51 && zypper clean
    ```

    ## Fix safety
    Safe: appends ` && zypper clean` right after the last `zypper` command of
    the script (after its pipes, redirections and `||` fallback), which only
    removes caches. Offered on shell-form RUNs without heredocs. Also checked
    inside `ONBUILD`.

    Unlike hadolint, which compares the first install with the first clean,
    codi requires a clean after the last install.

    ## References
    - hadolint DL3036
    """

    code = "DL3036"
    severity = Severity.WARNING
    message = "`zypper clean` missing after zypper use."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            if has_cache_mount(instr, "/var/cache/zypp") or not clean_missing(
                shell.commands, _is_zypper_install, _is_zypper_clean
            ):
                continue
            edit = append_after_last(instr, shell, lambda cmd: cmd.name == "zypper", "zypper clean")
            yield self.finding(instr, fix=Fix.safe("Add zypper clean", edit) if edit else None)


def _is_zypper_install(cmd: Command) -> bool:
    return cmd.name == "zypper" and cmd.has_args("install", "in")


def _is_zypper_clean(cmd: Command) -> bool:
    return cmd.name == "zypper" and cmd.has_args("clean", "cc")
