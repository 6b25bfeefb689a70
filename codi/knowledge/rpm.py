"""Shared logic of the RPM-family rules (yum, dnf, microdnf, zypper) and cache rules.

What several rules need, written once:
- `installs_without_yes`: an install that would prompt (DL3030, DL3038);
- `cache_left`: "an install whose cache is never cleaned afterwards" (DL3032,
  DL3036, DL3040; their fixes append the clean with `codi.rules.fixes.cleanup_fix`);
- `unpinned_install`: hadolint's notion of an install without `<name>-<version>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from codi.pipeline.shell import Command

CommandPredicate = Callable[[Command], bool]

YUM_COMMANDS = frozenset({"yum"})
DNF_COMMANDS = frozenset({"dnf", "microdnf"})
PROMPTING_INSTALLS = ("install", "groupinstall", "localinstall")
"""yum/dnf verbs that ask for confirmation unless given `-y`."""


_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_VERSION_PART = re.compile(r"[0-9A-Za-z.~^_:+]*")


def installs_without_yes(cmd: Command, tools: frozenset[str]) -> bool:
    """Whether `cmd` is a yum/dnf install of one of `tools` without `-y`/`--assumeyes`."""
    return cmd.name in tools and cmd.has_args(*PROMPTING_INSTALLS) and not cmd.has_any_flag("y", "assumeyes")


def cache_left(
    commands: Iterable[Command],
    tool: str,
    installs: tuple[str, ...],
    cleans: tuple[str, ...],
    removed_cache: str | None = None,
) -> bool:
    """Whether a `tool` command with one of the `installs` verbs is not followed by a clean.

    A clean is a `tool` command with one of the `cleans` words anywhere in
    it, or, when `removed_cache` is given, an `rm` with `-rf` or
    `removed_cache` among its arguments: hadolint's tests, kept for parity.
    """

    def is_install(cmd: Command) -> bool:
        return cmd.name == tool and cmd.has_args(*installs)

    def is_clean(cmd: Command) -> bool:
        if cmd.name == tool:
            return cmd.has_args(*cleans)
        return removed_cache is not None and cmd.name == "rm" and cmd.has_args("-rf", removed_cache)

    return _clean_missing(commands, is_install, is_clean)


def _clean_missing(commands: Iterable[Command], is_install: CommandPredicate, is_clean: CommandPredicate) -> bool:
    """True when some install is not followed by a clean.

    hadolint compares the first install with the first clean, so it misses
    `install; clean; install` and flags `clean; install; clean`; what counts
    is a clean after the last install.
    """
    missing = False
    for command in commands:
        if is_install(command):
            missing = True
        elif is_clean(command):
            missing = False
    return missing


def unpinned_install(
    cmd: Command, tools: frozenset[str], variables: Mapping[str, str | None], unchecked: tuple[str, ...] = ()
) -> bool:
    """Whether `<tool> install` names a package without a version (DL3033, DL3041).

    `<tool> module install` must name streams (`nodejs:18`); a command with
    one of the `unchecked` words (dnf's `group`) installs groups, which have
    no versions.
    """
    if cmd.name not in tools or not cmd.has_args("install"):
        return False
    packages = [arg for arg in cmd.args_no_flags() if arg not in ("install", "module")]
    if cmd.has_args("module"):
        return any(":" not in package for package in packages)
    if unchecked and cmd.has_args(*unchecked):
        return False
    return not all(_version_pinned(package, variables) for package in packages)


def _version_pinned(package: str, variables: Mapping[str, str | None]) -> bool:
    """Whether `name-version` pins a version, as hadolint judges it.

    An `.rpm` file is pinned; a package written with a variable is trusted
    when the variable is in scope (renovate-style version ARGs); otherwise
    everything after the first dash must look like a version.
    """
    parts = package.split("-")
    if len(parts) <= 1:
        return False
    if package.endswith(".rpm"):
        return True
    if "$" in package:
        return any(name in variables for name in _VARIABLE.findall(package))
    rest = parts[1:]
    return all(_VERSION_PART.fullmatch(part) for part in rest) and any(part[:1].isdigit() for part in rest)
