"""The semantic model of a Dockerfile: stages, the stage graph, ARG/ENV scopes.

Variables follow Docker's rules: ARGs declared before the first FROM are
global and resolve only in FROM lines (so `FROM ${BASE}` is judged on BASE's
default); inside a stage an ARG must be re-declared to be visible; ENV and
re-declared ARGs carry over into stages built `FROM` an earlier stage.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from codi.pipeline.model import Document, Instruction, Word, split_words

DEFAULT_SHELL = ("/bin/sh", "-c")

_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_OPERATORS = (":-", ":+", "-", "+")
MAX_TRACKED_VALUE_CHARS = 8192
"""An ARG/ENV value that expands past this is tracked as unknown: a chain like `ENV V2=$V1/2`, `ENV V3=$V2/3` …
grows each value by the one before it, so tracking every value in full costs quadratic time and memory. Any other
word (a `COPY --from` name, a WORKDIR, a path) whose variables add up past it and its own length stays as written:
`--from=$A$A…` on one 64 KiB line with an 8 KiB `A` expanded to 256 MB (lint 11 s, optimise 4 min, for one COPY)."""


def _name_end(text: str, start: int) -> int:
    """The end of the variable name starting at `start` (`start` itself when there is none)."""
    if start >= len(text) or text[start] not in _NAME_START:
        return start
    end = start + 1
    while end < len(text) and text[end] in _NAME_CHARS:
        end += 1
    return end


def _reference(text: str, dollar: int) -> tuple[str, str | None, int] | None:
    """The `$NAME`, `${NAME}` or `${NAME<op>` at `dollar`: (name, operator, end of what was read).

    For an operator form the end is where its word starts; None when no reference starts there.
    """
    if text.startswith("${", dollar):
        name_end = _name_end(text, dollar + 2)
        if name_end == dollar + 2:
            return None
        name = text[dollar + 2 : name_end]
        if text.startswith("}", name_end):
            return name, None, name_end + 1
        for operator in _OPERATORS:
            if text.startswith(operator, name_end):
                return name, operator, name_end + len(operator)
        return None
    name_end = _name_end(text, dollar + 1)
    return (text[dollar + 1 : name_end], None, name_end) if name_end > dollar + 1 else None


def _closing_braces(text: str) -> dict[int, int]:
    """The `}` that closes each `${NAME<op>word}` (by the offset of its `$`): one pass with a stack,
    so nested defaults cost linear time (8,000 nested `${A:-` took seconds with a regex)."""
    closes: dict[int, int] = {}
    open_at: list[int] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "$" and (ref := _reference(text, index)) is not None:
            if ref[1] is not None:
                open_at.append(index)
            index = ref[2]
            continue
        if char == "}" and open_at:
            closes[open_at.pop()] = index
        index += 1
    return closes


def expand_tracked(text: str, variables: Mapping[str, str | None]) -> str | None:
    """`expand` for a value the semantic model keeps: None (unknown) past `MAX_TRACKED_VALUE_CHARS`."""
    try:
        return _expand(text, variables, True, MAX_TRACKED_VALUE_CHARS)
    except _TooLong:
        return None


class _TooLong(Exception):
    """An expansion passed its `limit`."""


def expand(text: str, variables: Mapping[str, str | None], keep_unknown: bool = True) -> str:
    """Expand `$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:+x}`, `${VAR+x}`, words nested.

    A variable with no known value stays as written when `keep_unknown`,
    else becomes empty (what the builder does). An unclosed `${VAR:-` stays
    as written. One pass: whether a word is used is known from its variable
    alone, so a used word's text is expanded in place and an unused one skipped.
    `text` whose variables' values add up past `MAX_TRACKED_VALUE_CHARS` and its own length stays as written,
    as if unknown: what it expands to is at most about three times as long as it.
    """
    try:
        return _expand(text, variables, keep_unknown, MAX_TRACKED_VALUE_CHARS + len(text))
    except _TooLong:
        return text


def _expand(text: str, variables: Mapping[str, str | None], keep_unknown: bool, limit: int) -> str:
    """`expand`, raising `_TooLong` once the values of the variables it looks up add up past `limit`."""
    if "$" not in text:
        return text
    closes = _closing_braces(text)
    skipped_closes: set[int] = set()
    out: list[str] = []
    index, dollar, brace = 0, text.find("$"), text.find("}")
    while index < len(text):
        if dollar != -1 and dollar < index:
            dollar = text.find("$", index)
        if brace != -1 and brace < index:
            brace = text.find("}", index)
        if brace != -1 and brace in skipped_closes and (dollar == -1 or brace < dollar):
            out.append(text[index:brace])
            index = brace + 1
            continue
        if dollar == -1:
            out.append(text[index:])
            break
        out.append(text[index:dollar])
        ref = _reference(text, dollar)
        if ref is None:
            out.append("$")
            index = dollar + 1
            continue
        name, operator, end = ref
        known = variables.get(name) is not None
        value = variables.get(name) or ""
        limit -= len(value)
        if limit < 0:
            raise _TooLong
        if operator is None:
            out.append(value if known else text[dollar:end] if keep_unknown else "")
            index = end
            continue
        close = closes.get(dollar)
        if close is None:
            out.append(text[dollar:end])
        else:
            is_set = known and (value != "" or not operator.startswith(":"))
            word_used = is_set == operator.endswith("+")
            if word_used:
                skipped_closes.add(close)
            else:
                out.append(value if operator.endswith("-") else "")
                end = close + 1
        index = end
    return "".join(out)


@dataclass(frozen=True, slots=True)
class ImageRef:
    """An image reference split into registry, repository, tag and digest."""

    raw: str
    registry: str | None
    repository: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """Repository with its registry, without tag or digest."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def is_scratch(self) -> bool:
        return self.raw.lower() == "scratch"


def parse_image(raw: str) -> ImageRef:
    """Split `registry:port/path/name:tag@digest` into its parts."""
    rest, _, digest = raw.partition("@")
    registry = None
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    tag = None
    last_slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > last_slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
    return ImageRef(raw, registry, rest, tag, digest or None)


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One `key=value` pair of ENV/ARG/LABEL with offsets into the instruction's args."""

    key: str
    value: str | None
    start: int
    end: int


def key_values(instr: Instruction) -> list[KeyValue]:
    """The pairs of an ENV, ARG or LABEL (legacy `ENV key value` included)."""
    words = split_words(instr.args)
    if not words:
        return []
    if instr.keyword == "ENV" and "=" not in words[0].raw:
        first = words[0]
        value = instr.args[first.end :].strip()
        return [KeyValue(first.value, _join_values(words[1:]) if value else "", first.start, len(instr.args))]
    pairs = []
    for word in words:
        key, eq, value = word.value.partition("=")
        raw_key = word.raw.partition("=")[0]
        pairs.append(KeyValue(_strip_quotes(raw_key) if raw_key else key, value if eq else None, word.start, word.end))
    return pairs


def _join_values(words: tuple[Word, ...]) -> str:
    return " ".join(word.value for word in words)


def _strip_quotes(text: str) -> str:
    return text.replace('"', "").replace("'", "")


@dataclass(eq=False)
class Stage:
    """One build stage: its FROM and the instructions up to the next FROM."""

    index: int
    from_instr: Instruction
    image: ImageRef
    """The base image with global ARG defaults resolved."""
    image_as_written: str
    alias: str | None
    platform: str | None
    instructions: list[Instruction] = field(default_factory=list)
    parent: Stage | None = None
    """The earlier stage this one is built FROM, if any."""

    @property
    def name(self) -> str:
        return self.alias or str(self.index)

    def copies_from(self) -> list[str]:
        return [flag for instr in self.instructions if instr.keyword == "COPY" for flag in instr.flag_values("from")]


class _History:
    """Every value each ARG/ENV name of one stage took, in order, so a scope is a point in it."""

    def __init__(self, initial: Mapping[str, str | None]) -> None:
        self.steps: dict[str, list[int]] = {name: [0] for name in initial}
        self.values: dict[str, list[str | None]] = {name: [value] for name, value in initial.items()}
        self.step = 0
        self.live = Scope(self, None)

    def set(self, name: str, value: str | None) -> None:
        self.step += 1
        self.steps.setdefault(name, []).append(self.step)
        self.values.setdefault(name, []).append(value)

    def now(self) -> Scope:
        return Scope(self, self.step)


class Scope(Mapping[str, "str | None"]):
    """The ARG/ENV names visible at one instruction: a point in its stage's `_History` (a stage of n
    ENV lines keeps n values, not a copy of every value per instruction: that was quadratic)."""

    __slots__ = ("_history", "_step")

    def __init__(self, history: _History, step: int | None) -> None:
        self._history = history
        self._step = step
        """None: the latest values."""

    def __getitem__(self, name: str) -> str | None:
        steps = self._history.steps.get(name)
        if not steps or (self._step is not None and steps[0] > self._step):
            raise KeyError(name)
        index = len(steps) - 1 if self._step is None else bisect.bisect_right(steps, self._step) - 1
        return self._history.values[name][index]

    def __iter__(self) -> Iterator[str]:
        return (
            name for name, steps in self._history.steps.items() if self._step is None or steps[0] <= self._step
        )

    def __len__(self) -> int:
        return sum(1 for _ in self)


class SemanticModel:
    """Stages, scopes and effective SHELL for every instruction of a document."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.global_args: dict[str, str | None] = {}
        self.stages: list[Stage] = []
        self._stage_of: dict[int, Stage] = {}
        self._vars: dict[int, Mapping[str, str | None]] = {}
        self._shell: dict[int, tuple[str, ...]] = {}
        self._build()

    def _build(self) -> None:
        stage: Stage | None = None
        history = _History({})
        shell = DEFAULT_SHELL
        by_alias: dict[str, Stage] = {}
        end_state: dict[int, tuple[Scope, tuple[str, ...]]] = {}
        before_from: Mapping[str, str | None] = {}
        global_scope: Mapping[str, str | None] | None = None
        for instr in self.document.instructions:
            if instr.keyword == "FROM":
                if stage is not None:
                    end_state[stage.index] = (history.now(), shell)
                stage = self._new_stage(instr, by_alias)
                if stage.parent is not None:
                    parent_vars, shell = end_state[stage.parent.index]
                    history = _History(parent_vars)
                else:
                    history, shell = _History({}), DEFAULT_SHELL
                self.stages.append(stage)
                if stage.alias:
                    by_alias.setdefault(stage.alias.lower(), stage)
                global_scope = global_scope if global_scope is not None else dict(self.global_args)
                self._vars[id(instr)] = global_scope
                self._shell[id(instr)] = shell
                self._stage_of[id(instr)] = stage
                continue
            self._shell[id(instr)] = shell
            if stage is None:
                self._vars[id(instr)] = before_from
                if instr.keyword == "ARG":
                    for pair in key_values(instr):
                        self.global_args[pair.key] = (
                            expand_tracked(pair.value, self.global_args) if pair.value is not None else None
                        )
                continue
            self._vars[id(instr)] = history.now()
            stage.instructions.append(instr)
            self._stage_of[id(instr)] = stage
            variables = history.live
            if instr.keyword == "ARG":
                for pair in key_values(instr):
                    if pair.value is not None:
                        history.set(pair.key, expand_tracked(pair.value, variables))
                    else:
                        history.set(pair.key, self.global_args.get(pair.key, variables.get(pair.key)))
            elif instr.keyword == "ENV":
                for pair in key_values(instr):
                    history.set(pair.key, expand_tracked(pair.value or "", variables))
            elif instr.keyword == "SHELL" and instr.exec_form:
                shell = instr.exec_form

    def _new_stage(self, instr: Instruction, by_alias: dict[str, Stage]) -> Stage:
        words = [w.value for w in instr.words]
        image_text = words[0] if words else ""
        alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
        resolved = expand(image_text, self.global_args)
        platform_flag = instr.flag("platform")
        stage = Stage(
            index=len(self.stages),
            from_instr=instr,
            image=parse_image(resolved),
            image_as_written=image_text,
            alias=alias,
            platform=platform_flag.value if platform_flag else None,
        )
        stage.parent = by_alias.get(resolved.lower())
        return stage

    def stage_of(self, instr: Instruction) -> Stage | None:
        return self._stage_of.get(id(instr))

    def variables_at(self, instr: Instruction) -> Mapping[str, str | None]:
        """ARG/ENV names visible to `instr` (global ARG defaults for FROM)."""
        return self._vars.get(id(instr), {})

    def shell_at(self, instr: Instruction) -> tuple[str, ...]:
        """The SHELL in effect for `instr`."""
        return self._shell.get(id(instr), DEFAULT_SHELL)

    def stage_names(self) -> set[str]:
        return {stage.alias.lower() for stage in self.stages if stage.alias}

    @cached_property
    def _alias_index(self) -> dict[str, int]:
        """Each alias (lower-cased) → the index of the first stage that has it."""
        first: dict[str, int] = {}
        for stage in self.stages:
            if stage.alias:
                first.setdefault(stage.alias.lower(), stage.index)
        return first

    def alias_defined_before(self, alias: str, limit: int) -> bool:
        """Whether a stage among the first `limit` has `alias` (any case)."""
        return self._alias_index.get(alias.lower(), limit) < limit

    def named_stage(self, name: str, before: Stage | None = None) -> Stage | None:
        """The first stage defined before `before` whose alias (any case) or index is `name`."""
        limit = before.index if before is not None else len(self.stages)
        found = self._alias_index.get(name.lower(), limit)
        if name.isdigit() and str(int(name)) == name:
            found = min(found, int(name))
        return self.stages[found] if found < limit else None

    def is_stage_reference(self, name: str, before: Stage | None = None) -> bool:
        """Whether `name` names a stage (by alias or index) defined before `before`."""
        return self.named_stage(name, before) is not None
