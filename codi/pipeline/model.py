"""The syntax tree of a Dockerfile: nodes that keep their exact source text.

Every byte of the input belongs to exactly one top-level node, so
`Document.render()` gives the input back unchanged. Instructions carry their
logical text (continuation lines joined, embedded comment lines dropped, as
BuildKit reads it) together with an `OffsetMap` back into the source, so any
word a rule finds can be turned into a source span for a finding or a fix.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property
from typing import Union

from codi.pipeline.source import SourceText, Span

KEYWORDS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    }
)


class OffsetMap:
    """Maps offsets of a logical (joined) text back to offsets of the source text.

    Stored as segments (logical_start, source_start); inside a segment both
    advance together.
    """

    __slots__ = ("_logical", "_source")

    def __init__(self, segments: list[tuple[int, int]]) -> None:
        self._logical = [seg[0] for seg in segments]
        self._source = [seg[1] for seg in segments]

    def to_source(self, index: int) -> int:
        """Source offset of the character at logical `index`."""
        seg = bisect.bisect_right(self._logical, index) - 1
        seg = max(seg, 0)
        return self._source[seg] + index - self._logical[seg]

    def end_to_source(self, index: int) -> int:
        """Source offset just after the character at logical `index - 1`."""
        if index <= 0:
            return self.to_source(0)
        return self.to_source(index - 1) + 1

    def shifted(self, delta: int) -> OffsetMap:
        """The map of the logical text with its first `delta` characters removed."""
        pairs = list(zip(self._logical, self._source))
        out: list[tuple[int, int]] = []
        for i, (lstart, sstart) in enumerate(pairs):
            lend = pairs[i + 1][0] if i + 1 < len(pairs) else None
            if lend is not None and lend <= delta:
                continue
            if lstart < delta:
                out.append((0, sstart + delta - lstart))
            else:
                out.append((lstart - delta, sstart))
        return OffsetMap(out or [(0, self.to_source(delta))])


@dataclass(frozen=True, slots=True)
class Comment:
    """A `#` comment line; `text` is what follows the `#`, stripped."""

    text: str
    span: Span
    raw: str


@dataclass(frozen=True, slots=True)
class Directive:
    """A parser directive at the top of the file (`# syntax=`, `# escape=`, `# check=`)."""

    name: str
    value: str
    span: Span
    raw: str


@dataclass(frozen=True, slots=True)
class Blank:
    """An empty or whitespace-only line."""

    span: Span
    raw: str


@dataclass(frozen=True, slots=True)
class Flag:
    """An instruction flag such as `--from=builder`; `value` is None for a bare `--link`."""

    name: str
    value: str | None
    span: Span


_MOUNT_TARGET_KEYS = frozenset({"target", "dst", "destination"})


@dataclass(frozen=True, slots=True)
class Mount:
    """One `RUN --mount=` spec, read as BuildKit reads it.

    `options` maps each lower-cased key to its value (surrounding quotes
    removed); `type` defaults to `bind`, and `target` is the last of its
    aliases `target`/`dst`/`destination` ("" when none is given).
    """

    type: str
    target: str
    options: dict[str, str]


def parse_mount(spec: str) -> Mount:
    """Parse the value of one `--mount=` flag (`type=cache,target=/root/.cache`)."""
    options: dict[str, str] = {}
    target = ""
    for part in spec.split(","):
        key, _, value = part.partition("=")
        key, value = key.strip().lower(), value.strip().strip("\"'")
        options[key] = value
        if key in _MOUNT_TARGET_KEYS:
            target = value
    return Mount(options.get("type", "bind").lower(), target, options)


@dataclass(frozen=True, slots=True)
class Heredoc:
    """A here-document attached to RUN/COPY/ADD.

    `body` is the raw text between the marker line and the terminator;
    `content` is what the build sees (leading tabs removed for `<<-`).
    """

    delimiter: str
    strip_tabs: bool
    quoted: bool
    fd: int | None
    marker_span: Span
    body: str
    body_start: int
    span: Span
    terminated: bool

    @property
    def content(self) -> str:
        if not self.strip_tabs:
            return self.body
        return "".join(line.lstrip("\t") for line in self.body.splitlines(keepends=True))


@dataclass(frozen=True, slots=True)
class Word:
    """One whitespace-separated word of an argument text, quotes removed in `value`."""

    value: str
    raw: str
    start: int
    end: int


@dataclass(eq=False)
class Instruction:
    """One Dockerfile instruction with its flags, arguments and source spans.

    `args` is the logical argument text after the keyword and flags; offsets
    into it map to source offsets through `args_map`. `exec_form` is the JSON
    array form of the arguments (for HEALTHCHECK, of the command after `CMD`).
    """

    keyword: str
    raw_keyword: str
    span: Span
    keyword_span: Span
    flags: tuple[Flag, ...]
    args: str
    args_map: OffsetMap
    exec_form: tuple[str, ...] | None
    heredocs: tuple[Heredoc, ...] = ()
    inner: Instruction | None = None
    comments: tuple[Comment, ...] = ()
    raw: str = ""
    source: SourceText | None = field(default=None, repr=False)

    @property
    def line(self) -> int:
        return self.span.line

    def flag(self, name: str) -> Flag | None:
        for flag in self.flags:
            if flag.name == name:
                return flag
        return None

    def flag_values(self, name: str) -> list[str]:
        return [f.value for f in self.flags if f.name == name and f.value is not None]

    def args_span(self, start: int = 0, end: int | None = None) -> Span:
        """Source span of args[start:end]."""
        assert self.source is not None
        end = len(self.args) if end is None else end
        source_start = self.args_map.to_source(start)
        source_end = self.args_map.end_to_source(end) if end > start else source_start
        return self.source.span(source_start, source_end)

    @cached_property
    def mounts(self) -> tuple[Mount, ...]:
        """The `--mount=` specs of a RUN, in order."""
        return tuple(parse_mount(spec) for spec in self.flag_values("mount"))

    @cached_property
    def words(self) -> tuple[Word, ...]:
        """Shell-like words of the argument text (quotes honoured, escapes kept)."""
        return split_words(self.args)

    @property
    def is_exec_form(self) -> bool:
        return self.exec_form is not None


@dataclass(frozen=True, slots=True)
class InvalidLine:
    """A line that is not a known instruction; kept verbatim so nothing is lost."""

    text: str
    span: Span
    raw: str
    message: str


Node = Union[Instruction, Comment, Directive, Blank, InvalidLine]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem the parser found; parsing always continues after it."""

    message: str
    span: Span


@dataclass(eq=False)
class Document:
    """A parsed Dockerfile."""

    source: SourceText
    nodes: tuple[Node, ...]
    escape: str
    diagnostics: tuple[Diagnostic, ...]
    bom: bool = False

    @property
    def text(self) -> str:
        return self.source.text

    @property
    def directives(self) -> tuple[Directive, ...]:
        return tuple(n for n in self.nodes if isinstance(n, Directive))

    @cached_property
    def instructions(self) -> tuple[Instruction, ...]:
        return tuple(n for n in self.nodes if isinstance(n, Instruction))

    @property
    def comments(self) -> tuple[Comment, ...]:
        """Every comment, including those embedded in continued instructions."""
        out: list[Comment] = []
        for node in self.nodes:
            if isinstance(node, Comment):
                out.append(node)
            elif isinstance(node, Instruction):
                out.extend(node.comments)
        return tuple(out)

    def render(self) -> str:
        return ("\ufeff" if self.bom else "") + "".join(node.raw for node in self.nodes)


def split_words(text: str, escape: str = "\\") -> tuple[Word, ...]:
    """Split on unquoted whitespace, tracking both quote styles and the escape character."""
    words: list[Word] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        start = i
        value: list[str] = []
        quote = ""
        while i < n:
            ch = text[i]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == escape and quote == '"' and i + 1 < n:
                    i += 1
                    value.append(text[i])
                else:
                    value.append(ch)
            elif ch in "'\"":
                quote = ch
            elif ch == escape and i + 1 < n:
                i += 1
                value.append(text[i])
            elif ch in " \t\r\n":
                break
            else:
                value.append(ch)
            i += 1
        words.append(Word("".join(value), text[start:i], start, i))
    return tuple(words)
