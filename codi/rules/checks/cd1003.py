"""CD1003: a package-index update without an install in the same RUN."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule


@dataclass(frozen=True, slots=True)
class PackageManager:
    """The verbs of one family of package managers that matter to the update/upgrade rules."""

    names: frozenset[str]
    refresh: frozenset[str]
    """Verbs that refresh the package index (and must be followed by an install)."""
    install: frozenset[str]
    """Verbs that install or upgrade packages."""
    full_upgrade: frozenset[str]
    """Verbs that upgrade every installed package when given no package name."""


PACKAGE_MANAGERS: tuple[PackageManager, ...] = (
    PackageManager(
        frozenset({"apt-get", "apt"}),
        frozenset({"update"}),
        frozenset({"install", "reinstall", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "satisfy"}),
        frozenset({"upgrade", "dist-upgrade", "full-upgrade"}),
    ),
    PackageManager(
        frozenset({"apk"}),
        frozenset({"update"}),
        frozenset({"add", "upgrade", "fix"}),
        frozenset({"upgrade"}),
    ),
    PackageManager(
        frozenset({"yum", "dnf", "microdnf", "tdnf"}),
        frozenset({"update", "up", "makecache"}),
        frozenset({"install", "groupinstall", "localinstall", "reinstall", "upgrade", "distro-sync"}),
        frozenset({"update", "up", "upgrade", "distro-sync", "update-minimal", "upgrade-minimal"}),
    ),
    PackageManager(
        frozenset({"zypper"}),
        frozenset({"update", "up", "refresh", "ref"}),
        frozenset({"install", "in", "source-install", "si", "dist-upgrade", "dup", "patch"}),
        frozenset({"update", "up", "dist-upgrade", "dup", "patch"}),
    ),
)


def manager_of(cmd: Command) -> PackageManager | None:
    for manager in PACKAGE_MANAGERS:
        if cmd.name in manager.names:
            return manager
    return None


def verb_of(cmd: Command, manager: PackageManager) -> str | None:
    """The first argument that is one of the manager's known verbs (flags and their values skipped)."""
    known = manager.refresh | manager.install | manager.full_upgrade
    return next((word for word in cmd.args_no_flags() if word in known), None)


def operands(cmd: Command, verb: str) -> list[str]:
    """The non-flag words after `verb` (the package names, for an install)."""
    words = cmd.args_no_flags()
    return words[words.index(verb) + 1 :]


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
    if verb in manager.full_upgrade and operands(commands[index], verb):
        return False  # `yum update openssl` upgrades that package: an install
    for later in commands[index + 1 :]:
        if later.name in manager.names and verb_of(later, manager) in manager.install:
            return False
    return True
