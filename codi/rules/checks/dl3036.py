"""DL3036: `zypper clean` missing after zypper install."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Fix
from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.knowledge.rpm import append_clean, cache_left


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
            if has_cache_mount(instr, "/var/cache/zypp"):
                continue
            if not cache_left(shell.commands, "zypper", ("install", "in"), ("clean", "cc")):
                continue
            edit = append_clean(instr, shell, "zypper", "zypper clean")
            yield self.finding(instr, fix=Fix.safe("Add zypper clean", edit) if edit else None)
