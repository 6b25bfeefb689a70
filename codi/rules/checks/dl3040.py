"""DL3040: `dnf clean all` missing after dnf command."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Fix
from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.knowledge.rpm import DNF_COMMANDS, append_clean, cache_left

_INSTALL_SUBCOMMANDS = ("install", "in", "upgrade", "up", "upgrade-minimal", "up-min", "reinstall", "rei")


class DnfCleanAll(Rule):
    """## What it does
    Checks that a RUN installing or upgrading packages with `dnf` or
    `microdnf` runs `<tool> clean all` (or `rm -rf` of the cache) after the
    last install, unless the libdnf5 cache is a cache or tmpfs mount. Each
    tool is judged on its own: `microdnf clean all` does not clean after
    `dnf install`.

    ## Why is this bad?
    The downloaded packages and metadata stay in the dnf cache and end up in
    the layer, making the image larger for nothing.

    ## Example
    ```dockerfile
    RUN dnf install -y httpd-2.4.24
    ```

    ## Use instead
    ```dockerfile
    RUN dnf install -y httpd-2.4.24 && dnf clean all
    ```

    ## Fix safety
    Safe: appends ` && dnf clean all` (or ` && microdnf clean all`) right after
    the last command of that tool (after its pipes, redirections and `||`
    fallback), which only removes caches. Offered on shell-form RUNs without
    heredocs. Also checked inside `ONBUILD`.

    Unlike hadolint, which compares the first install with the first clean,
    codi requires a clean after the last install.

    ## References
    - hadolint DL3040
    """

    code = "DL3040"
    severity = Severity.WARNING
    message = "`dnf clean all` missing after dnf command."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if has_cache_mount(instr, "/var/cache/libdnf5") or has_cache_mount(instr, ".cache/libdnf5"):
                continue
            shell = ctx.shell(instr)
            unclean = [
                tool
                for tool in sorted(DNF_COMMANDS)
                if cache_left(shell.commands, tool, _INSTALL_SUBCOMMANDS, ("clean", "all"), "/var/cache/libdnf5*")
            ]
            if not unclean:
                continue
            edits = [edit for tool in unclean if (edit := append_clean(instr, shell, tool, f"{tool} clean all"))]
            fix = Fix.safe(f"Add {' and '.join(unclean)} clean all", *edits) if len(edits) == len(unclean) else None
            yield self.finding(instr, fix=fix)
