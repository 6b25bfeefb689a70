"""The verbs of OS package managers: which ones refresh the index, install, upgrade or remove.

Shared by the update/upgrade rules (CD1003, CD1004) and by the rules that
follow OS packages through an image (CD2002, CD2003).
"""

from __future__ import annotations

from dataclasses import dataclass

from codi.pipeline.shell import Command
from codi.knowledge.stacks import program


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


def operands_after(cmd: Command, verb: str) -> list[str]:
    """The non-flag words after `verb` (the package names, for an install)."""
    words = cmd.args_no_flags()
    return words[words.index(verb) + 1 :]


INSTALL_VERB: dict[str, str] = {
    "apt-get": "install", "apt": "install", "apk": "add", "dnf": "install", "yum": "install", "microdnf": "install"
}
"""The verb that installs OS packages, per package manager followed through an image."""
REMOVE_VERBS: dict[str, tuple[str, ...]] = {
    "apt-get": ("purge", "remove", "autoremove"),
    "apt": ("purge", "remove", "autoremove"),
    "apk": ("del",),
    "dnf": ("remove", "erase"),
    "yum": ("remove", "erase"),
    "microdnf": ("remove",),
}
"""The verbs that remove OS packages, per package manager followed through an image."""


def removes_packages(cmd: Command) -> bool:
    """Whether `cmd` removes OS packages (`apt-get purge`, `apk del`, `dnf remove` …)."""
    manager = program(cmd)
    return manager in REMOVE_VERBS and any(cmd.has_args(verb) for verb in REMOVE_VERBS[manager])
