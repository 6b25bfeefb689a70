"""DL3004: do not use sudo."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule


class Sudo(Rule):
    """## What it does
    Reports RUN instructions that call `sudo` (also inside `ONBUILD`).

    ## Why is this bad?
    Build steps already run as the current `USER`; `sudo` needs a TTY and a
    sudoers setup, behaves differently across base images, and leaves a
    privilege escalation path in the image. To run as root, switch with
    `USER root`; to drop privileges at run time, use a tool like `gosu`.

    ## Example
    ```dockerfile
    RUN sudo apt-get update
    ```

    ## Use instead
    ```dockerfile
    USER root
    RUN apt-get update
    ```

    ## Fix safety
    No fix: removing `sudo` changes which user runs the command.

    ## References
    - hadolint DL3004
    """

    code = "DL3004"
    severity = Severity.ERROR
    message = "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce root"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if ctx.shell(instr).using("sudo"):
                yield self.finding(instr)
