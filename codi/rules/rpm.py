"""Shared logic of the RPM-family rules (yum, dnf, microdnf, zypper) and cache rules.

What several rules need, written once:
- `clean_missing`: "an install whose cache is never cleaned afterwards";
- `append_after_last`: the fix that appends a clean command right after the
  last command of a package manager, keeping the script's layout;
- `unpinned_install`: hadolint's notion of an install without `<name>-<version>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

from codi.pipeline.edits import Edit
from codi.pipeline.model import Instruction
from codi.pipeline.shell import Command, RunShell

CommandPredicate = Callable[[Command], bool]

DNF_COMMANDS = frozenset({"dnf", "microdnf"})

_PARSER = Parser(Language(tree_sitter_bash.language()))

# Wrappers that end where the command's effect ends: appending after them
# keeps the wrapped command's pipes and redirections intact.
_WRAPPERS = frozenset({"redirected_statement", "pipeline", "negated_command"})
# Appending inside these would change what the substitution produces.
_NO_APPEND_INSIDE = frozenset({"command_substitution", "process_substitution", "heredoc_redirect"})

_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_VERSION_PART = re.compile(r"[0-9A-Za-z.~^_:+]*")


def clean_missing(commands: Iterable[Command], is_install: CommandPredicate, is_clean: CommandPredicate) -> bool:
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


def append_after_last(instr: Instruction, shell: RunShell, predicate: CommandPredicate, text: str) -> Edit | None:
    """An edit appending ` && <text>` after the last command matching `predicate`.

    The text goes right after that command in its `&&` chain (after its
    pipeline, redirections or `|| fallback`, which it must not split), so
    continuation lines keep their layout. None when the position is not
    certain: exec form, heredocs, a script that did not parse cleanly, or a
    command inside a command substitution.
    """
    if instr.heredocs or len(shell.scripts) != 1:
        return None
    script = shell.scripts[0]
    if not script.exact or script.has_errors:
        return None
    matching = [command for command in script.commands if predicate(command)]
    if not matching:
        return None
    data = script.text.encode("utf-8", "surrogateescape")
    last = matching[-1]
    node = _command_node(_PARSER.parse(data).root_node, _byte(script.text, last.start), _byte(script.text, last.end))
    if node is not None:
        node = _statement_end(node)
    if node is None:
        return None
    end = len(data[: node.end_byte].decode("utf-8", "surrogateescape"))
    return Edit.insert(instr.args_span(end - 1, end).end, f" && {text}")


def _byte(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8", "surrogateescape"))


def _command_node(root: Node, start: int, end: int) -> Node | None:
    node: Node | None = root.descendant_for_byte_range(start, end)
    while node is not None and not (node.type.endswith("command") and node.start_byte == start):
        node = node.parent
    return node


def _statement_end(node: Node) -> Node | None:
    """The node after which a `&& clean` runs right after `node`, or None when unsafe."""
    while node.parent is not None:
        parent = node.parent
        if parent.type in _NO_APPEND_INSIDE or any(child.type == "heredoc_redirect" for child in node.children):
            return None
        if parent.type in _WRAPPERS:
            node = parent
            continue
        if parent.type == "list":
            operator = node.next_sibling
            if operator is None or operator.type == "||":
                node = parent
                continue
        break
    ancestor = node.parent
    while ancestor is not None:
        if ancestor.type in _NO_APPEND_INSIDE:
            return None
        ancestor = ancestor.parent
    return node


def unpinned_install(
    cmd: Command, tools: frozenset[str], variables: dict[str, str | None], unchecked: tuple[str, ...] = ()
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


def _version_pinned(package: str, variables: dict[str, str | None]) -> bool:
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
