"""CD1003: a package-index update without an install in the same RUN."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule
from codi.knowledge.packages import manager_of, operands_after, verb_of


class UpdateAlone(Rule):
    """## What it does
    Checks that a package-index update (`apt-get update`, `apk update`,
    `yum/dnf update` or `makecache`, `zypper refresh`/`update`) is followed by
    an install of the same package manager in the same `RUN`. `yum update
    <package>` is itself an install.

    ## Why is this bad?
    Each `RUN` is a cached layer. An update alone in its layer is reused from
    cache by later builds while the install in a later layer is rebuilt, so it
    installs from a stale index: old versions, or 404s for packages that have
    been replaced.

    ## Example
    ```dockerfile
    RUN apt-get update
    RUN apt-get install -y curl
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y curl
    ```

    ## Fix safety
    No fix: merging two RUNs moves work between cached layers and can change
    what the commands in between see.

    ## References
    - Trivy AVD-DS-0017
    - Checkov CKV_DOCKER_5
    """

    code = "CD1003"
    severity = Severity.WARNING
    message = "Package index updated without an install in the same `RUN`: later installs use a stale cache"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            commands = ctx.shell(instr).commands
            if any(_orphan_update(commands, index) for index in range(len(commands))):
                yield self.finding(instr)


def _orphan_update(commands: tuple[Command, ...], index: int) -> bool:
    manager = manager_of(commands[index])
    verb = verb_of(commands[index], manager) if manager else None
    if manager is None or verb not in manager.refresh:
        return False
    if verb in manager.full_upgrade and operands_after(commands[index], verb):
        return False  # `yum update openssl` upgrades that package: an install
    for later in commands[index + 1 :]:
        if later.name in manager.names and verb_of(later, manager) in manager.install:
            return False
    return True
