"""A tolerant, lossless Dockerfile parser.

It follows BuildKit's reading of a Dockerfile (directives, escape character,
line continuations that skip embedded comment and blank lines, heredocs on
RUN/COPY/ADD, JSON exec form with shell-form fallback) but never raises:
whatever it cannot read becomes a `Diagnostic` and an `InvalidLine` node, and
parsing resumes at the next line.
"""

from __future__ import annotations

import json
import re

from codi.pipeline.model import (
    KEYWORDS,
    Blank,
    Comment,
    Diagnostic,
    Directive,
    Document,
    Flag,
    Heredoc,
    Instruction,
    InvalidLine,
    Node,
    OffsetMap,
    split_words,
)
from codi.pipeline.source import SourceText

_DIRECTIVE = re.compile(r"^#[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(.*?)[ \t]*$")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_FLAG_KEYWORDS = frozenset({"FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"})
_EXEC_KEYWORDS = frozenset({"RUN", "CMD", "ENTRYPOINT", "SHELL", "COPY", "ADD", "VOLUME"})
# `HEALTHCHECK [options] CMD <command>`: its exec form is the JSON array after `CMD`.
_HEALTHCHECK_CMD = re.compile(r"CMD(?=\s)", re.IGNORECASE)
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_HEREDOC_WORD = re.compile(r"^(\d*)<<(-?)(.+)$", re.S)
_LOOKS_LIKE_JSON = re.compile(r'\[\s*"[^"]*"\s*[,\]]')
_FLAG = re.compile(r"--([A-Za-z][A-Za-z0-9-]*)(?:=|(?=\s|$))")


def _content(line: str) -> str:
    """A physical line without its line terminator."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith("\n") or line.endswith("\r"):
        return line[:-1]
    return line


class _Lines:
    """Physical lines with their source offsets."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.offsets: list[int] = []
        pos = 0
        for line in self.lines:
            self.offsets.append(pos)
            pos += len(line)
        self.index = 0

    def __len__(self) -> int:
        return len(self.lines)


def parse(text: str) -> Document:
    """Parse Dockerfile text into a `Document`; never raises."""
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    return _Parser(text, bom).run()


class _Parser:
    def __init__(self, text: str, bom: bool) -> None:
        self.source = SourceText(text)
        self.lines = _Lines(text)
        self.bom = bom
        self.escape = "\\"
        self.nodes: list[Node] = []
        self.diagnostics: list[Diagnostic] = []
        self._continuation: re.Pattern[str] = self._continuation_pattern()

    def _continuation_pattern(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.escape) + r"[ \t]*$")

    def _span(self, start: int, end: int):
        return self.source.span(start, end)

    def run(self) -> Document:
        lines = self.lines
        self._read_directives()
        while lines.index < len(lines):
            i = lines.index
            line = lines.lines[i]
            start = lines.offsets[i]
            stripped = line.strip()
            if not stripped:
                self.nodes.append(Blank(self._span(start, start + len(line)), line))
                lines.index += 1
            elif stripped.startswith("#"):
                self.nodes.append(self._comment(i))
                lines.index += 1
            else:
                self._instruction()
        return Document(self.source, tuple(self.nodes), self.escape, tuple(self.diagnostics), self.bom)

    def _comment(self, i: int) -> Comment:
        line = self.lines.lines[i]
        start = self.lines.offsets[i]
        text = _content(line).strip()[1:].strip()
        return Comment(text, self._span(start, start + len(_content(line))), line)

    def _read_directives(self) -> None:
        seen: set[str] = set()
        lines = self.lines
        while lines.index < len(lines):
            line = lines.lines[lines.index]
            match = _DIRECTIVE.match(_content(line).strip())
            if not match:
                return
            name = match.group(1).lower()
            if name not in _KNOWN_DIRECTIVES or name in seen:
                return
            seen.add(name)
            value = match.group(2)
            start = lines.offsets[lines.index]
            self.nodes.append(Directive(name, value, self._span(start, start + len(_content(line))), line))
            if name == "escape":
                if value in ("\\", "`"):
                    self.escape = value
                    self._continuation = self._continuation_pattern()
                else:
                    self.diagnostics.append(
                        Diagnostic(f"invalid escape directive {value!r}: must be ` or \\", self.nodes[-1].span)
                    )
            lines.index += 1

    def _gather(self) -> tuple[str, list[tuple[int, int]], list[Comment], int]:
        """Join an instruction's physical lines into its logical text.

        Returns the logical text, its offset segments, the comment lines it
        skipped and the index of the line after the instruction.
        """
        lines = self.lines
        i = lines.index
        pieces: list[str] = []
        segments: list[tuple[int, int]] = []
        comments: list[Comment] = []
        length = 0
        first = True
        while i < len(lines):
            line = lines.lines[i]
            content = _content(line)
            if not first:
                stripped = content.strip()
                if not stripped:
                    i += 1
                    continue
                if stripped.startswith("#"):
                    comments.append(self._comment(i))
                    i += 1
                    continue
            first = False
            cont = self._continuation.search(content)
            part = content[: cont.start()] if cont else content
            segments.append((length, lines.offsets[i]))
            pieces.append(part)
            length += len(part)
            i += 1
            if not cont:
                break
        return "".join(pieces), segments, comments, i

    def _instruction(self) -> None:
        lines = self.lines
        first_index = lines.index
        start = lines.offsets[first_index]
        logical, segments, comments, next_index = self._gather()
        omap = OffsetMap(segments)
        lines.index = next_index
        instr = self._build(logical, omap)
        if instr is None:
            end = self._end_offset(next_index)
            raw = self.source.text[start:end]
            span = self._span(start, start + len(raw.rstrip("\r\n")))
            keyword = logical.strip().split(None, 1)[0] if logical.strip() else ""
            message = f"unknown instruction {keyword!r}"
            self.nodes.append(InvalidLine(logical, span, raw, message))
            self.diagnostics.append(Diagnostic(message, span))
            return
        heredocs: tuple[Heredoc, ...] = ()
        if instr.keyword in _HEREDOC_KEYWORDS and "<<" in instr.args and instr.exec_form is None:
            heredocs = self._heredocs(instr, omap)
        end = self._end_offset(lines.index)
        raw = self.source.text[start:end]
        content_end = start + len(raw.rstrip("\r\n"))
        instr.span = self._span(start, content_end)
        instr.heredocs = heredocs
        instr.comments = tuple(comments)
        instr.raw = raw
        self.nodes.append(instr)

    def _end_offset(self, index: int) -> int:
        if index < len(self.lines):
            return self.lines.offsets[index]
        return len(self.source.text)

    def _build(self, logical: str, omap: OffsetMap, nested: bool = False) -> Instruction | None:
        """Turn one logical line into an Instruction, or None for an unknown keyword."""
        match = re.match(r"[ \t]*(\S+)", logical)
        if not match:
            return None
        raw_keyword = match.group(1)
        keyword = raw_keyword.upper()
        if keyword not in KEYWORDS:
            return None
        src = self.source
        kw_start = omap.to_source(match.start(1))
        keyword_span = src.span(kw_start, omap.end_to_source(match.end(1)))
        pos = match.end(1)
        flags: list[Flag] = []
        rest_start = self._skip_space(logical, pos)
        if keyword in _FLAG_KEYWORDS:
            while True:
                flag_match = _FLAG.match(logical, rest_start)
                if not flag_match:
                    break
                value_start = flag_match.end()
                if logical[value_start - 1 : value_start] == "=":
                    value_end = self._word_end(logical, value_start)
                    value = _unquote(logical[value_start:value_end])
                else:
                    value_end = value_start
                    value = None
                flags.append(
                    Flag(
                        flag_match.group(1),
                        value,
                        src.span(omap.to_source(rest_start), omap.end_to_source(value_end)),
                    )
                )
                rest_start = self._skip_space(logical, value_end)
        args = logical[rest_start:].rstrip()
        args_map = omap.shifted(rest_start)
        exec_form = None
        if keyword in _EXEC_KEYWORDS and args.startswith("["):
            exec_form = _json_list(args)
            if exec_form is None and not nested and _LOOKS_LIKE_JSON.match(args):
                self.diagnostics.append(
                    Diagnostic(
                        f"{keyword} arguments start with '[' but are not a JSON array of strings;"
                        " Docker runs them as a shell command",
                        src.span(args_map.to_source(0), args_map.end_to_source(len(args))),
                    )
                )
        elif keyword == "HEALTHCHECK" and (healthcheck_cmd := _HEALTHCHECK_CMD.match(args)):
            exec_form = _json_list(args[healthcheck_cmd.end() :].strip())
        instr = Instruction(
            keyword=keyword,
            raw_keyword=raw_keyword,
            span=keyword_span,
            keyword_span=keyword_span,
            flags=tuple(flags),
            args=args,
            args_map=args_map,
            exec_form=exec_form,
            source=src,
        )
        if keyword == "ONBUILD":
            inner = self._build(args, args_map, nested=True)
            if inner is not None:
                inner.span = src.span(inner.keyword_span.start, args_map.end_to_source(len(args)))
            else:
                self.diagnostics.append(
                    Diagnostic(
                        "ONBUILD needs an instruction to trigger",
                        src.span(args_map.to_source(0), args_map.end_to_source(len(args))),
                    )
                )
            instr.inner = inner
        if not args and keyword not in ("CMD", "ENTRYPOINT", "RUN"):
            self.diagnostics.append(Diagnostic(f"{keyword} requires at least one argument", keyword_span))
        return instr

    @staticmethod
    def _skip_space(text: str, pos: int) -> int:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        return pos

    @staticmethod
    def _word_end(text: str, pos: int) -> int:
        quote = ""
        while pos < len(text):
            ch = text[pos]
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch in " \t":
                break
            pos += 1
        return pos

    def _heredocs(self, instr: Instruction, omap: OffsetMap) -> tuple[Heredoc, ...]:
        markers = []
        for word in split_words(instr.args, self.escape):
            match = _HEREDOC_WORD.match(word.raw)
            if not match or match.group(3).startswith("<"):
                continue
            raw_delimiter = match.group(3)
            delimiter = _unquote(raw_delimiter)
            if not delimiter:
                continue
            markers.append((match, delimiter, any(q in raw_delimiter for q in "'\""), word))
        out: list[Heredoc] = []
        lines = self.lines
        for match, delimiter, quoted, word in markers:
            strip_tabs = match.group(2) == "-"
            body_index = lines.index
            body_start = self._end_offset(body_index)
            terminated = False
            i = body_index
            while i < len(lines):
                content = _content(lines.lines[i])
                if (content.lstrip("\t") if strip_tabs else content) == delimiter:
                    terminated = True
                    break
                i += 1
            body_end = self._end_offset(i)
            span_end = body_end + len(_content(lines.lines[i])) if terminated else body_end
            marker_span = instr.args_span(word.start, word.end)
            heredoc = Heredoc(
                delimiter=delimiter,
                strip_tabs=strip_tabs,
                quoted=quoted,
                fd=int(match.group(1)) if match.group(1) else None,
                marker_span=marker_span,
                body=self.source.text[body_start:body_end],
                body_start=body_start,
                span=self.source.span(marker_span.start, span_end),
                terminated=terminated,
            )
            if not terminated:
                self.diagnostics.append(
                    Diagnostic(f"heredoc <<{delimiter} is not terminated", marker_span)
                )
            out.append(heredoc)
            lines.index = i + 1 if terminated else i
        return tuple(out)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.replace('"', "").replace("'", "")


def _json_list(text: str) -> tuple[str, ...] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None
