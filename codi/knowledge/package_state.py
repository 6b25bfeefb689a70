"""What package managers leave on disk for later steps, and which later step still needs it.

A fix that deletes that state (`rm -rf /var/lib/apt/lists/*`, `yum clean
all`, `yarn cache clean`) or stops writing it (`apk add --no-cache` for
`apk add -U`) is judged on one RUN, but a build is a sequence: a later RUN
of the stage (or of a stage built `FROM` it) that installs from the stored
lists fails once they are gone. `later_reader` walks the steps after the
cleanup point, in build order, and answers the first one that may read the
state, so a rule's fix is safe only when there is none: the cleanup then
goes after the stage's last use of that package manager.

The walk stops, with nothing found, at a command that refreshes the state
(`apt-get update`) or deletes it itself: from there on the build sees what
it saw before the fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from codi.knowledge.arguments import argument_values
from codi.knowledge.apt import APT_LISTS, APT_PROGRAMS, removes_apt_lists, updates_package_lists
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import Stage
from codi.pipeline.shell import Command
from codi.rules.base import LintContext

CommandTest = Callable[[Command], bool]

SCRIPT_RUNNERS = frozenset({"sh", "bash", "dash", "ash", "ksh", "zsh", "busybox", "source", ".", "eval", "exec"})
_APT_FAMILY = APT_PROGRAMS | {"apt-cache"}
_APT_VERBS_WITHOUT_LISTS = frozenset(
    {"update", "clean", "autoclean", "distclean", "dist-clean", "remove", "purge", "autoremove", "autopurge", "help"}
)
"""apt verbs that neither read nor need the package lists."""
_APK_VERBS_WITHOUT_INDEX = frozenset({"del", "update", "version", "--version", "-V", "--help", "-h"})
_CACHE_ONLY_FLAGS = ("C", "cacheonly")
_WORD_PARTS = re.compile(r"[-/_.=\s]")


@dataclass(frozen=True)
class PackageState:
    """State a package manager stores for later commands: where it lives and who reads, refreshes or deletes it."""

    description: str
    """What it is, for fix descriptions: "the apt lists"."""
    paths: tuple[str, ...]
    """Path fragments naming it; a command or `COPY --from` naming one of them reads it."""
    reads: CommandTest
    """Commands that need the stored state (an install from the stored lists)."""
    refreshes: CommandTest
    """Commands that rebuild it from scratch (`apt-get update`): later steps no longer see the fix."""
    deletes: CommandTest
    """Commands that delete it: later steps see it gone with or without the fix."""
    scripts_may_read: bool
    """Whether a script run from the Dockerfile (`./install.sh`, `sh -c …`) may read it: OS package
    installs hide in scripts; `yarn install --offline` hardly does."""


def runs_script(cmd: Command) -> bool:
    """A shell, `source`/`eval`/`exec`, a path (`./install.sh`, `/usr/local/bin/setup`) or a `*.sh` file:
    what it runs is not in the Dockerfile."""
    name = cmd.name.rsplit("/", 1)[-1]
    return name in SCRIPT_RUNNERS or "/" in cmd.name or name.endswith(".sh")


def involves_apt(cmd: Command) -> bool:
    """`apt-get …`, `sudo apt-get …`, `add-apt-repository …`, `echo … > /etc/apt/…` and the like."""
    for word in (cmd.name, *cmd.values):
        parts = _WORD_PARTS.split(word)
        if "apt" in parts or "aptitude" in parts:
            return True
    return False


def _apt_verb(cmd: Command) -> str | None:
    """The verb of an apt program run by `cmd`, directly or through `sudo`/`xargs`/`env` (`""` when it has none)."""
    words = (cmd.name, *cmd.values)
    start = next((i for i, word in enumerate(words) if word.rsplit("/", 1)[-1] in _APT_FAMILY), None)
    if start is None:
        return None
    return next((word for word in words[start + 1 :] if not word.startswith("-")), "")


def _apt_reads_lists(cmd: Command) -> bool:
    verb = _apt_verb(cmd)
    return verb is not None and verb not in _APT_VERBS_WITHOUT_LISTS


def _apt_refreshes_lists(cmd: Command) -> bool:
    return cmd.plain_list_member and (updates_package_lists(cmd) or _apt_verb(cmd) == "update")


def _removes_path(fragment: str) -> CommandTest:
    return lambda cmd: cmd.name == "rm" and any(fragment in value for value in cmd.values)


APT_LISTS_STATE = PackageState(
    "the apt lists",
    (APT_LISTS,),
    _apt_reads_lists,
    _apt_refreshes_lists,
    lambda cmd: cmd.plain_list_member and removes_apt_lists(cmd),
    scripts_may_read=True,
)


def _apk_reads_index(cmd: Command) -> bool:
    if cmd.name != "apk" or cmd.has_flag("no-cache") or cmd.has_any_flag("U", "update", "update-cache"):
        return False
    return not cmd.has_args(*_APK_VERBS_WITHOUT_INDEX)


def _apk_refreshes_index(cmd: Command) -> bool:
    if cmd.name != "apk" or not cmd.plain_list_member or cmd.has_flag("no-cache"):
        return False
    return cmd.has_args("update") or cmd.has_any_flag("U", "update", "update-cache")


APK_INDEX = PackageState(
    "the apk index",
    ("/var/cache/apk",),
    _apk_reads_index,
    _apk_refreshes_index,
    _removes_path("/var/cache/apk"),
    scripts_may_read=True,
)


def rpm_cache(tool: str, paths: tuple[str, ...]) -> PackageState:
    """The metadata and package cache of yum, dnf, microdnf or zypper: later installs fetch metadata
    again, so only a cache-only run (`-C`) or a command naming the cache directory needs it."""

    def reads(cmd: Command) -> bool:
        return cmd.name == tool and cmd.has_any_flag(*_CACHE_ONLY_FLAGS)

    def deletes(cmd: Command) -> bool:
        return cmd.plain_list_member and cmd.name == tool and cmd.has_args("clean", "cc")

    return PackageState(f"the {tool} cache", paths, reads, lambda cmd: False, deletes, scripts_may_read=False)


YUM_CACHE = rpm_cache("yum", ("/var/cache/yum",))
ZYPPER_CACHE = rpm_cache("zypper", ("/var/cache/zypp",))
DNF_CACHES = {
    "dnf": rpm_cache("dnf", ("/var/cache/dnf", "/var/cache/libdnf5")),
    "microdnf": rpm_cache("microdnf", ("/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5")),
}

YARN_CACHE = PackageState(
    "the yarn cache",
    (".cache/yarn",),
    lambda cmd: cmd.name == "yarn" and cmd.has_args("--offline"),
    lambda cmd: False,
    lambda cmd: cmd.plain_list_member and cmd.name == "yarn" and cmd.has_args("cache") and cmd.has_args("clean"),
    scripts_may_read=False,
)
"""Yarn 1's offline mirror of every package it downloaded: `--offline` installs need it."""

PIP_CACHE = PackageState(
    "the pip cache",
    (".cache/pip",),
    lambda cmd: False,
    lambda cmd: False,
    lambda cmd: False,
    scripts_may_read=False,
)
"""pip's HTTP and wheel cache only saves downloads: no pip command needs it, only a step naming it."""


def later_reader(ctx: LintContext, instr: Instruction, state: PackageState, after: int) -> Instruction | None:
    """The first step after offset `after` of RUN `instr`'s script that may read `state`, or None.

    Steps are, in build order: the rest of that script, the later RUNs of
    the stage (ONBUILD ones included: they run in the stages built on it),
    then every stage built `FROM` it, and any `COPY --from` of those stages
    naming the state's path.
    """
    stage = ctx.stage_of(instr)
    own = _judge(ctx, instr, state, after)
    if own is not None:
        return instr if own else None
    if stage is None:
        return None
    steps = _instructions_after(stage, instr)
    return _first_reader(ctx, stage, steps, state)


def _first_reader(ctx: LintContext, stage: Stage, steps: list[Instruction], state: PackageState) -> Instruction | None:
    for step in steps:
        verdict = _judge(ctx, step, state, 0)
        if verdict is True:
            return step
        if verdict is False:
            return None
    for copy in _copies_from(ctx, stage):
        if any(fragment in value for value in argument_values(copy)[:-1] for fragment in state.paths):
            return copy
    for child in ctx.model.stages:
        if child.parent is stage:
            found = _first_reader(ctx, child, [_run_of(i) for i in child.instructions], state)
            if found is not None:
                return found
    return None


def _instructions_after(stage: Stage, instr: Instruction) -> list[Instruction]:
    outer = next((i for i, step in enumerate(stage.instructions) if step is instr or step.inner is instr), None)
    if outer is None:
        return []
    return [_run_of(step) for step in stage.instructions[outer + 1 :]]


def _run_of(instr: Instruction) -> Instruction:
    return instr.inner if instr.inner is not None else instr


def _judge(ctx: LintContext, instr: Instruction, state: PackageState, after: int) -> bool | None:
    """True when the RUN reads the state past `after`, False when it refreshes or deletes it first, None when
    it does neither (the walk goes on). Non-RUN steps do neither."""
    if instr.keyword != "RUN":
        return None
    for cmd in _commands_from(ctx, instr, after):
        if state.reads(cmd) or _names_state(cmd, state) or (state.scripts_may_read and runs_script(cmd)):
            return True
        if state.refreshes(cmd) or state.deletes(cmd):
            return False
    return None


def _commands_from(ctx: LintContext, instr: Instruction, after: int) -> Iterator[Command]:
    """The RUN's commands starting at or after `after`, in source order (heredoc scripts after the command line)."""
    shell = ctx.shell(instr)
    for index, script in enumerate(shell.scripts):
        for cmd in sorted(script.commands, key=lambda command: command.start):
            if index > 0 or cmd.start >= after:
                yield cmd


def _names_state(cmd: Command, state: PackageState) -> bool:
    """A command other than `rm` with a word naming the state's path (`cp -r ~/.cache/pip …`)."""
    if cmd.name == "rm":
        return False
    return any(fragment in value for value in cmd.values for fragment in state.paths)


def _copies_from(ctx: LintContext, stage: Stage) -> Iterator[Instruction]:
    names = {stage.name.lower(), str(stage.index)}
    for instr in ctx.instructions("COPY"):
        source = instr.flag("from")
        if source is not None and source.value is not None and source.value.lower() in names:
            yield instr
