"""DL3036: `zypper clean` missing after zypper install."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.knowledge.package_state import ZYPPER_CACHE
from codi.knowledge.rpm import cache_left
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.rules.fixes import cleanup_fix, last_command

_DOWNLOADS = ("install", "in", "patch")
"""zypper verbs that download packages into its cache (`patch` installs the pending patches)."""


class ZypperClean(Rule):
    """## What it does
    Checks that a RUN installing packages with `zypper install` (or `in`) or
    applying patches with `zypper patch` runs `zypper clean` (or
    `zypper cc`) after the last of them, unless
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

    Unsafe instead when a later step may need the cleaned cache: a
    cache-only run (`zypper -C …`, `--cacheonly`) or a command naming
    `/var/cache/zypp` (an `rpm -i` of packages downloaded there), in the rest of the
    RUN, the later RUNs of the stage (`ONBUILD` ones included), the stages
    built `FROM` it or a `COPY --from` of them. A later `zypper install` fetches the metadata again and
    is unaffected.

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
            if not cache_left(shell.commands, "zypper", _DOWNLOADS, ("clean", "cc")):
                continue
            last = last_command(instr, shell, lambda cmd: cmd.name == "zypper")
            yield self.finding(instr, fix=cleanup_fix(ctx, instr, [(last, "zypper clean", ZYPPER_CACHE)], "Add zypper clean"))
