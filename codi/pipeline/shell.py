"""The shell model of RUN scripts: commands with argv, pipes, subshells.

Parser choice, measured on the 1,166 shell-form RUN scripts of the corpus
(`bench/shell_parsers.py`): tree-sitter-bash parsed them and extracted every
command in 0.10 s, with 60 scripts containing an error node (it recovers and
still yields the other commands); bashlex alone took 0.75 s to parse and
raised on 85 (losing the whole script). tree-sitter is 7x faster and
error-tolerant, so codi uses it.

Commands follow hadolint's view (ShellCheck's `getCommandName` and
`oversimplify`): every simple command anywhere in the script (inside
subshells, `&&`/`||` lists, pipelines, loops, command substitutions), with
quotes removed from its words and expansions kept as written.

The walker also records where each command stands in the script's lists,
which is what a fix appending ` && <cleanup>` after a command needs to know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import tree_sitter_bash
from tree_sitter import Language, Node, Parser

_PARSER = Parser(Language(tree_sitter_bash.language()))

# A `# comment` in backticks (a common way to comment a continued RUN line) ends
# at the closing backtick in sh, but tree-sitter-bash runs it to the end of the
# joined line and loses every later command; blank it out, keeping offsets.
_BACKTICK_COMMENT = re.compile(rb"`#[^`\n]*`")
# A backslash before a blank quotes it: `\    apt-get update` runs a command named " " (bash,
# ShellCheck), but tree-sitter-bash skips `\<blank>` as if it were a line continuation. The parser
# reads an escaped `_` in its place (a word character, same length); the words' values come from the text.
_ESCAPED_BLANK = re.compile(rb"(?<!\\)((?:\\\\)*\\)[ \t]")

# Nodes that end where the wrapped command's effect ends: a `&& x` after them
# keeps the command's pipes and redirections intact.
_WRAPPERS = frozenset({"redirected_statement", "pipeline", "negated_command"})
# Appending inside these would change what the substitution or heredoc produces.
_NO_APPEND_INSIDE = frozenset({"command_substitution", "process_substitution", "heredoc_redirect"})
# Groups whose members run one after another, each to completion.
_PLAIN_GROUPS = frozenset({"program", "list", "subshell", "compound_statement"})
_PLAIN_FOLLOWERS = frozenset({"&&", ";", ")", "}"})
# Redirections that send output into a file (`2>&1`-style duplication names no file).
_OUTPUT_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>"})


@dataclass(frozen=True, slots=True)
class ShellWord:
    """One word of a command; `value` has quotes removed; offsets are in the script text."""

    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CommandFlag:
    """A flag as hadolint counts them: `-abc` gives a, b, c; `--name=v` gives name."""

    name: str
    index: int


@dataclass(frozen=True)
class Command:
    """One simple command: its name, its argument words (name excluded) and its place in the script."""

    name: str
    name_word: ShellWord
    args: tuple[ShellWord, ...]
    start: int
    end: int
    assignments: tuple[ShellWord, ...] = ()
    """Environment prefixes (`NODE_ENV=production npm ci`), each valued `NAME=value` with quotes removed."""
    statement_end: int | None = None
    """Where ` && x` makes x run right after this command: the end of its pipeline,
    redirections and `|| fallback`; None inside a command substitution or heredoc."""
    plain_list_member: bool = False
    """A whole member of `&&`/`;`/newline lists (also inside `( )` or `{ }`): not piped,
    redirected, negated, backgrounded, looped, conditional, nor followed by `||`."""
    top_level_step: bool = False
    """A step of the script's top-level `&&`/`;` chain: no group, loop, `||`, pipe,
    redirection or background `&` around it."""
    writes_to: tuple[ShellWord, ...] = ()
    """Files its output is redirected into (`> f`, `>> f`, `&> f`), by its statement or an enclosing group."""

    @cached_property
    def values(self) -> tuple[str, ...]:
        return tuple(word.value for word in self.args)

    @cached_property
    def flags(self) -> tuple[CommandFlag, ...]:
        out: list[CommandFlag] = []
        for index, word in enumerate(self.args):
            arg = word.value
            if arg in ("--", "-") or not arg.startswith("-"):
                continue
            if arg.startswith("--"):
                out.append(CommandFlag(arg[2:].split("=", 1)[0], index))
            else:
                out.extend(CommandFlag(ch, index) for ch in arg[1:])
        return tuple(out)

    def has_args(self, *expected: str) -> bool:
        """True when any argument equals one of `expected`."""
        return any(value in expected for value in self.values)

    def has_prefix_arg(self, prefix: str) -> bool:
        return any(value.startswith(prefix) for value in self.values)

    def has_flag(self, name: str) -> bool:
        return any(flag.name == name for flag in self.flags)

    def has_any_flag(self, *names: str) -> bool:
        return any(flag.name in names for flag in self.flags)

    def count_flag(self, name: str) -> int:
        return sum(1 for flag in self.flags if flag.name == name)

    def _flag_indexes(self) -> set[int]:
        return {flag.index for flag in self.flags}

    def args_no_flags(self) -> list[str]:
        """Argument values that are not themselves flags (flag values stay)."""
        flag_indexes = self._flag_indexes()
        return [word.value for i, word in enumerate(self.args) if i not in flag_indexes]

    def _value_index(self, flag_index: int) -> int | None:
        return flag_index + 1 if flag_index + 1 < len(self.args) else None

    def flag_args(self, name: str) -> list[str]:
        """Values given to flag `name` as the following word (`-u 1000` gives ["1000"])."""
        out = []
        for flag in self.flags:
            if flag.name != name:
                continue
            index = self._value_index(flag.index)
            if index is not None:
                out.append(self.args[index].value)
        return out

    def _flag_value_indexes(self, names: tuple[str, ...]) -> set[int]:
        """Indexes of the separate value words of flags `names` (`-t bookworm`, not `--target=x`)."""
        drop: set[int] = set()
        for flag in self.flags:
            if flag.name in names and "=" not in self.args[flag.index].value:
                index = self._value_index(flag.index)
                if index is not None:
                    drop.add(index)
        return drop

    def without_flag_values(self, names: tuple[str, ...]) -> list[str]:
        """Argument values with the separate value words of flags `names` dropped."""
        drop = self._flag_value_indexes(names)
        return [word.value for i, word in enumerate(self.args) if i not in drop]

    def operands(self, value_flags: tuple[str, ...] = ()) -> list[ShellWord]:
        """Argument words that are neither flags nor the separate value of a flag in `value_flags`.

        `apt-get install -t bookworm-backports curl` with value_flags ("t",)
        gives `install` and `curl` (hadolint's `getArgsNoFlags . dropFlagArg`).
        """
        skipped = self._flag_indexes() | self._flag_value_indexes(value_flags)
        return [word for i, word in enumerate(self.args) if i not in skipped]

    def is_pip_install(self, *, as_written: bool = False) -> bool:
        """`pip install …`, `pip3 install …` or `python -m pip install …` (not pipenv), by any path
        (`/opt/venv/bin/pip install`).

        `as_written=True` matches the program name as written, as hadolint does
        (`/opt/venv/bin/pip` is not pip to it): for the rules bound by hadolint
        parity (DL3013, DL3042).
        """
        values = list(self.values)
        name = self.name if as_written else self.name.rsplit("/", 1)[-1]
        if name.startswith("pip") and not name.startswith("pipenv") and "install" in values:
            return True
        if name.startswith("python"):
            return any(values[i : i + 3] == ["-m", "pip", "install"] for i in range(len(values)))
        return False


@dataclass(frozen=True)
class ShellScript:
    """A parsed shell script and the commands in it."""

    text: str
    commands: tuple[Command, ...]
    has_pipes: bool
    has_errors: bool
    exact: bool = True
    """False when the text was synthesised (exec form) and offsets do not map to the source."""
    assignments: tuple[ShellWord, ...] = ()
    """Variable assignments that are statements of their own (`X=1 && …`), valued `NAME=value`."""

    def using(self, program: str) -> bool:
        return any(command.name == program for command in self.commands)

    def command_names(self) -> list[str]:
        return [command.name for command in self.commands]


@dataclass(frozen=True)
class RunShell:
    """Every script of one RUN (its shell-form text and its shell heredocs), seen together."""

    scripts: tuple[ShellScript, ...] = ()

    @cached_property
    def commands(self) -> tuple[Command, ...]:
        return tuple(command for script in self.scripts for command in script.commands)

    @property
    def has_pipes(self) -> bool:
        return any(script.has_pipes for script in self.scripts)

    def using(self, program: str) -> bool:
        return any(script.using(program) for script in self.scripts)

    def command_names(self) -> list[str]:
        return [command.name for command in self.commands]


def parse_script(text: str, exact: bool = True) -> ShellScript:
    """Parse a POSIX/bash script; never raises."""
    data = _BACKTICK_COMMENT.sub(lambda m: b" " * len(m.group(0)), text.encode("utf-8", "surrogateescape"))
    tree = _PARSER.parse(_ESCAPED_BLANK.sub(rb"\1_", data))
    to_char = _byte_to_char(text, data)
    walker = _Walker(data, to_char)
    walker.visit(tree.root_node)
    return ShellScript(
        text, tuple(walker.commands), walker.has_pipes, tree.root_node.has_error, exact, tuple(walker.assignments)
    )


def _byte_to_char(text: str, data: bytes):
    if len(data) == len(text):
        return lambda offset: offset
    table = []
    for index, ch in enumerate(text):
        table.extend([index] * len(ch.encode("utf-8", "surrogateescape")))
    table.append(len(text))
    return lambda offset: table[offset]


class _Walker:
    def __init__(self, data: bytes, to_char) -> None:
        self.data = data
        self.to_char = to_char
        self.commands: list[Command] = []
        self.assignments: list[ShellWord] = []
        self.has_pipes = False
        self.pipeline_tail_writes: dict[int, tuple[ShellWord, ...]] = {}
        """Output files of a redirected pipeline, for its last command (keyed by the pipeline's node id)."""

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "surrogateescape")

    def word(self, node: Node) -> ShellWord:
        return ShellWord(self.simplify(node), self.to_char(node.start_byte), self.to_char(node.end_byte))

    def simplify(self, node: Node) -> str:
        """A word's value with quotes removed and expansions kept as written."""
        kind = node.type
        if kind == "raw_string":
            return self.text(node)[1:-1]
        if kind == "ansi_c_string":
            return self.text(node)[2:-1]
        if kind in ("string", "translated_string"):
            inner = self.text(node)
            inner = inner[2:-1] if kind == "translated_string" else inner[1:-1]
            return inner
        if kind in ("concatenation", "command_name"):
            return "".join(self.simplify(child) for child in node.children)
        if kind == "word":
            return _unescape(self.text(node))
        return self.text(node)

    def visit(self, root: Node) -> None:
        """Walk the tree in source order without recursion (a long `&&` chain is a tree as deep as it
        is long), handing each node what it needs from its ancestors (`_Place`) instead of climbing
        `.parent`, which tree-sitter answers by walking down from the root."""
        no_files: tuple[ShellWord, ...] = ()
        pending: list[tuple[Node, str | None, _Place, tuple[ShellWord, ...]]] = [
            (root, None, _Place(root, False, True, False), no_files)
        ]
        while pending:
            node, parent_type, place, writes_to = pending.pop()
            kind = node.type
            children = node.children
            child_writes = [writes_to] * len(children)
            if kind == "pipeline":
                if any(child.type in ("|", "|&") for child in children):
                    self.has_pipes = True
                # tree-sitter-bash hangs `a | b > f` on the pipeline; the shell redirects `b` alone.
                last = max((i for i, child in enumerate(children) if child.is_named), default=None)
                if last is not None:
                    child_writes[last] = writes_to + self.pipeline_tail_writes.pop(node.id, ())
            elif kind == "redirected_statement":
                files = self.output_files(node)
                body = node.child_by_field_name("body")
                if body is not None and body.type == "pipeline":
                    self.pipeline_tail_writes[body.id] = files
                else:
                    child_writes = [writes_to + files] * len(children)
            elif kind in ("command_substitution", "process_substitution"):
                child_writes = [no_files] * len(children)
            elif kind == "command":
                self.command(node, place, writes_to)
            elif kind in ("declaration_command", "unset_command"):
                self.builtin(node, place, writes_to)
            elif kind == "variable_assignment" and parent_type not in (None, "command", "declaration_command"):
                self.assignments.append(self.assignment(node))
            places = place.children(node, children)
            pending.extend((children[i], kind, places[i], child_writes[i]) for i in range(len(children) - 1, -1, -1))

    def output_files(self, statement: Node) -> tuple[ShellWord, ...]:
        files = []
        for redirect in statement.children_by_field_name("redirect"):
            destination = redirect.child_by_field_name("destination")
            if redirect.type == "file_redirect" and destination is not None:
                if any(child.type in _OUTPUT_REDIRECTS for child in redirect.children):
                    files.append(self.word(destination))
        return tuple(files)

    def command(self, node: Node, place: _Place, writes_to: tuple[ShellWord, ...]) -> None:
        name_node = node.child_by_field_name("name")
        if name_node is None:
            return
        args = tuple(self.word(child) for child in node.children_by_field_name("argument"))
        assignments = tuple(self.assignment(child) for child in node.children if child.type == "variable_assignment")
        self.add(node, place, self.word(name_node), args, assignments, writes_to)

    def builtin(self, node: Node, place: _Place, writes_to: tuple[ShellWord, ...]) -> None:
        children = node.children
        if not children:
            return
        args = tuple(self.word(child) for child in children[1:] if child.type != "comment")
        self.add(node, place, self.word(children[0]), args, (), writes_to)

    def assignment(self, node: Node) -> ShellWord:
        name = node.child_by_field_name("name")
        value = node.child_by_field_name("value")
        text = f"{self.text(name) if name else ''}={self.simplify(value) if value else ''}"
        return ShellWord(text, self.to_char(node.start_byte), self.to_char(node.end_byte))

    def add(
        self,
        node: Node,
        place: _Place,
        name: ShellWord,
        args: tuple[ShellWord, ...],
        assignments: tuple[ShellWord, ...],
        writes_to: tuple[ShellWord, ...],
    ) -> None:
        self.commands.append(
            Command(
                name.value,
                name,
                args,
                self.to_char(node.start_byte),
                self.to_char(node.end_byte),
                assignments,
                None if place.statement is None else self.to_char(place.statement.end_byte),
                place.plain_member,
                place.top_level_step,
                writes_to,
            )
        )


@dataclass(frozen=True, slots=True)
class _Place:
    """What a node's ancestors say about appending after it, worked out from its parent's `_Place`."""

    statement: Node | None
    """The node after which a `&& x` runs right after this one, or None when appending there is unsafe."""
    inside_no_append: bool
    """Whether an ancestor is a substitution or heredoc."""
    plain_member: bool
    """Whether it runs to completion before the next member of its groups (no `|`, `&` or `||` after it)."""
    top_level_step: bool
    """Whether it is a step of the script's top-level `&&`/`;` sequence."""

    def children(self, parent: Node, children: list[Node]) -> list[_Place]:
        """The places of `parent`'s children, in one pass over them."""
        kind = parent.type
        inside = self.inside_no_append or kind in _NO_APPEND_INSIDE
        has_or = kind == "list" and any(child.type == "||" for child in children)
        places: list[_Place] = [self] * len(children)
        next_command: Node | None = None
        for index in range(len(children) - 1, -1, -1):
            node = children[index]
            follower = children[index + 1] if index + 1 < len(children) else None
            if kind in _NO_APPEND_INSIDE or any(child.type == "heredoc_redirect" for child in node.children):
                statement = None
            elif kind in _WRAPPERS or (kind == "list" and (follower is None or follower.type == "||")):
                statement = self.statement
            else:
                statement = None if inside else node
            if kind not in _PLAIN_GROUPS:
                plain = False
            elif next_command is not None:
                plain = next_command.type in _PLAIN_FOLLOWERS or next_command.is_named
            else:
                plain = self.plain_member
            if kind == "list":
                top = self.top_level_step and not has_or
            else:
                top = kind == "program" and (follower is None or follower.type != "&")
            places[index] = _Place(statement, inside, plain, top)
            if node.type != "comment":
                next_command = node
        return places


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    out = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            i += 1
            if text[i] != "\n":
                out.append(text[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)
