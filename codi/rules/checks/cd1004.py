"""CD1004: a full system upgrade in the build."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule
from codi.knowledge.packages import manager_of, operands_after, verb_of

# Verbs that upgrade everything even when given package names.
_ALWAYS_FULL = frozenset({"dist-upgrade", "full-upgrade", "distro-sync", "dup"})


class FullUpgrade(Rule):
    """## What it does
    Checks for upgrades of every installed package: `apt-get upgrade`,
    `dist-upgrade`, `full-upgrade`, `apk upgrade`, `yum/dnf update|upgrade`
    and `zypper update|dist-upgrade|patch` without package names.

    ## Why is this bad?
    The result depends on the day of the build, so the same Dockerfile gives
    different images and cached layers hide the difference; it also copies
    much of the base image into a new layer. A newer (or digest-pinned,
    regularly bumped) base image brings the same fixes reproducibly.
    Upgrading named packages (`yum update -y openssl`) is not reported.

    ## Example
    ```dockerfile
    FROM debian:12
    RUN apt-get update && apt-get -y dist-upgrade
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.7
    ```

    ## Fix safety
    No fix: dropping the upgrade changes the packages in the image.

    ## References
    - Trivy AVD-DS-0024 (apt-get dist-upgrade; deprecated in Trivy, hence info here)
    - hadolint DL3005 (removed in hadolint 2)
    """

    code = "CD1004"
    severity = Severity.INFO
    message = "Do not upgrade all system packages in the build; use a newer base image"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if any(_is_full_upgrade(cmd) for cmd in ctx.shell(instr).commands):
                yield self.finding(instr)


def _is_full_upgrade(cmd: Command) -> bool:
    manager = manager_of(cmd)
    if manager is None:
        return False
    verb = verb_of(cmd, manager)
    if verb not in manager.full_upgrade:
        return False
    if verb in _ALWAYS_FULL or cmd.name in ("apt-get", "apt"):
        return True
    return not operands_after(cmd, verb)
