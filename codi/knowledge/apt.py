"""Predicates on apt, apt-get and aptitude commands shared by the apt rules.

They follow hadolint's reading of a command (`Hadolint.Shell`): a command is
recognised by its literal name, so `sudo apt-get …` is `sudo`.
"""

from __future__ import annotations

from codi.pipeline.shell import Command, ShellWord

APT_LISTS = "/var/lib/apt/lists"
"""Where `apt-get update` stores the package lists (tens of MB an image does not need)."""

APT_PROGRAMS = frozenset({"apt", "apt-get", "aptitude"})

_TARGET_RELEASE_FLAGS = ("t", "target-release")


def is_apt_get_install(cmd: Command) -> bool:
    return cmd.name == "apt-get" and cmd.has_args("install")


def apt_get_packages(cmd: Command) -> list[ShellWord]:
    """The package words of an `apt-get install` (the `install` verb and `-t` release dropped)."""
    if not is_apt_get_install(cmd):
        return []
    return [word for word in cmd.operands(_TARGET_RELEASE_FLAGS) if word.value != "install"]


def is_pinned_apt_package(package: str) -> bool:
    """`pkg=1.2`, a release pin `pkg/bookworm`, or a local `.deb` file."""
    return "=" in package or "/" in package or package.endswith(".deb")


def updates_package_lists(cmd: Command) -> bool:
    """`apt update`, `apt-get update` or `aptitude update`."""
    return cmd.name in APT_PROGRAMS and cmd.has_args("update")


def removes_apt_lists(cmd: Command) -> bool:
    """Deletes the package lists: `rm -rf /var/lib/apt/lists/*` and its spellings,
    `find /var/lib/apt/lists … -delete` and `apt-get distclean` (apt 2.9+)."""
    if cmd.name in APT_PROGRAMS:
        return cmd.has_args("distclean", "dist-clean")
    names_lists = any(value.startswith(APT_LISTS) for value in cmd.values)
    if cmd.name == "find":
        return names_lists and cmd.has_args("-delete", "rm")
    return cmd.name == "rm" and names_lists

