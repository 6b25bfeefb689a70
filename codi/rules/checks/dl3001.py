"""DL3001: commands that make no sense in a container."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule

_POINTLESS_COMMANDS = frozenset({"free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim"})


class PointlessCommand(Rule):
    """## What it does
    Reports RUN instructions that call `ssh`, `vim`, `shutdown`, `service`,
    `ps`, `free`, `top`, `kill` or `mount` (also inside `ONBUILD`).

    ## Why is this bad?
    A build step runs once, without a terminal, an init system or running
    services: interactive tools hang or do nothing, process and service
    commands act on a throw-away container, and their effect never reaches the
    image. Such a line is usually copied from a setup guide for a real machine.

    ## Example
    ```dockerfile
    RUN service nginx start
    ```

    ## Use instead
    ```dockerfile
    CMD ["nginx", "-g", "daemon off;"]
    ```

    ## Fix safety
    No fix: what the command was meant to achieve is not known.

    ## References
    - hadolint DL3001
    """

    code = "DL3001"
    severity = Severity.INFO
    message = (
        "For some bash commands it makes no sense running them in a Docker container like `ssh`, "
        "`vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if any(name in _POINTLESS_COMMANDS for name in ctx.shell(instr).command_names()):
                yield self.finding(instr)
