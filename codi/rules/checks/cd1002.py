"""CD1002: EXPOSE 22."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import expand
from codi.rules.base import LintContext, Rule

_SSH_PORT = 22


class ExposeSsh(Rule):
    """## What it does
    Checks for `EXPOSE 22` (also `22/tcp`, `22/udp` and ranges containing 22).

    ## Why is this bad?
    Port 22 means an SSH server in the container: another way in, with keys or
    passwords baked into the image. Use `docker exec` (or `kubectl exec`) to
    get a shell instead.

    ## Example
    ```dockerfile
    EXPOSE 22 8080
    ```

    ## Use instead
    ```dockerfile
    EXPOSE 8080
    ```

    ## Fix safety
    No fix: the SSH server the port belongs to is still in the image.

    ## References
    - Trivy AVD-DS-0004
    - Checkov CKV_DOCKER_1
    """

    code = "CD1002"
    severity = Severity.WARNING
    message = "Do not expose the SSH port 22"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("EXPOSE", onbuild=True):
            variables = ctx.model.variables_at(instr)
            if any(_covers_ssh(expand(word.value, variables)) for word in instr.words):
                yield self.finding(instr)


def _covers_ssh(port: str) -> bool:
    low, _, high = port.split("/", 1)[0].partition("-")
    if not low.isdigit() or (high and not high.isdigit()):
        return False
    return int(low) <= _SSH_PORT <= int(high or low)
