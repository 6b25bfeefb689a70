"""DL3040: `dnf clean all` missing after dnf command."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.shell import Command, RunShell
from codi.knowledge.package_state import DNF_CACHES
from codi.knowledge.rpm import DNF_COMMANDS, cache_left
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.rules.fixes import cleanup_fix, last_command

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

    Unsafe instead when a later step may need the cleaned cache: a
    cache-only run (`dnf -C …`, `--cacheonly`) or a command naming
    `/var/cache/dnf` (an `rpm -i` of packages downloaded there), in the rest of the
    RUN, the later RUNs of the stage (`ONBUILD` ones included), the stages
    built `FROM` it or a `COPY --from` of them. A later `dnf install` fetches the metadata again and
    is unaffected.

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
            cleanups = [(_last_of(instr, shell, tool), f"{tool} clean all", DNF_CACHES[tool]) for tool in unclean]
            yield self.finding(instr, fix=cleanup_fix(ctx, instr, cleanups, f"Add {' and '.join(unclean)} clean all"))


def _last_of(instr: Instruction, shell: RunShell, tool: str) -> Command | None:
    return last_command(instr, shell, lambda cmd: cmd.name == tool)
