"""The shell scripts of a Dockerfile for ShellCheck, and its findings mapped back.

Pure: it builds `ScriptInput`s, hands them all to a `ScriptChecker` in one
call (the I/O edge batches them) and turns each `ScriptFinding` into a
`Finding`. It follows hadolint's `Hadolint.Rule.Shellcheck`:

- shell-form RUN and ONBUILD RUN are checked, exec form is not;
- the shell is the first word of the stage's SHELL (or of a
  `# hadolint shell=…` pragma); PowerShell and cmd shells are skipped, and so
  is a script whose own shebang names an interpreter ShellCheck cannot read;
- ARG/ENV names in scope and the proxy variables are declared, so they are
  not reported as unassigned;
- a finding is reported on the instruction's first line, where hadolint's
  `# hadolint ignore=SC…` pragmas expect it.

Where hadolint is wrong, codi is right:

- hadolint keeps one ShellCheck finding per RUN (its findings are a `Set`
  ordered by line only, so all but the last collapse); codi reports them all;
- a heredoc is checked as what the build runs: the heredoc of `RUN <<EOF` or
  `RUN bash <<EOF` as a script on its own (its own shebang wins), a data
  heredoc (`RUN python3 <<EOF`, `cat <<EOF >file`) as part of the command
  that reads it, so ShellCheck sees what the shell expands in it;
- only valid shell names are declared as variables, and the shell is passed
  by name (the checker writes an absolute shebang), so `SHELL ["bash", "-c"]`
  does not draw SC2239 about a shebang the user never wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from codi.pipeline.findings import Finding
from codi.pipeline.lint import ScriptChecker, ScriptFinding, ScriptInput
from codi.pipeline.model import Heredoc, Instruction
from codi.pipeline.pragmas import read_pragmas
from codi.rules.base import LintContext, heredocs_are_scripts

PROXY_VARIABLES = (
    "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
    "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy",
)  # fmt: skip
"""Declared in every script, as hadolint does: the builder passes them through."""

_NON_POSIX_SHELLS = ("pwsh", "powershell", "cmd")
_SUPPORTED_SHEBANGS = (
    "#!/bin/sh", "#!/bin/bash", "#!/bin/ksh",
    "#!/usr/bin/env sh", "#!/usr/bin/env bash", "#!/usr/bin/env ksh",
)  # fmt: skip
_CHECKABLE_PROGRAMS = {"sh": "sh", "bash": "bash", "dash": "dash", "ksh": "ksh", "ash": "ash", "busybox": "sh"}
"""Programs that read a heredoc as a script → the shell ShellCheck checks it as (zsh: none)."""
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SHEBANG_SHELL = re.compile(r"#!\s*(?:/usr/bin/env\s+)?(\S+)")


@dataclass(frozen=True, slots=True)
class _Line:
    """Where one script line lies in the source: its length and the offset of its first character."""

    length: int
    base: int

    def to_source(self, column: int) -> int:
        return self.base + min(max(column, 0), self.length)


@dataclass(frozen=True, slots=True)
class _Script:
    """A script to check, the instruction its findings belong to, and its lines' places."""

    reported: Instruction
    input: ScriptInput
    lines: tuple[_Line, ...]


def script_findings(contexts: list[LintContext], checker: ScriptChecker) -> list[list[Finding]]:
    """ShellCheck findings of each document, with one checker call for all of them."""
    per_document = [_document_scripts(ctx) for ctx in contexts]
    flat = [script for scripts in per_document for script in scripts]
    results = checker.check_scripts([script.input for script in flat]) if flat else []
    out: list[list[Finding]] = []
    position = 0
    for scripts in per_document:
        findings: list[Finding] = []
        for script in scripts:
            findings.extend(_to_finding(script, item) for item in results[position])
            position += 1
        out.append(findings)
    return out


def _document_scripts(ctx: LintContext) -> list[_Script]:
    pragma_shell = read_pragmas(ctx.document).shell
    scripts: list[_Script] = []
    for instr in ctx.document.instructions:
        run = instr if instr.keyword == "RUN" else instr.inner if instr.keyword == "ONBUILD" else None
        if run is None or run.keyword != "RUN" or run.exec_form is not None:
            continue
        shell = pragma_shell or " ".join(ctx.model.shell_at(instr))
        if any(name in shell.lower() for name in _NON_POSIX_SHELLS):
            continue
        words = shell.split()
        in_scope = _declared(ctx, instr)
        for text, lines, script_shell in _run_scripts(run, _basename(words[0]) if words else "sh"):
            if _has_unsupported_shebang(text):
                continue
            line_map = tuple(ctx.document.source.position(line.to_source(0))[0] for line in lines)
            variables = tuple(name for name in in_scope if name in text)
            scripts.append(_Script(instr, ScriptInput(text, script_shell, variables, line_map), lines))
    return scripts


def _declared(ctx: LintContext, instr: Instruction) -> tuple[str, ...]:
    """Names to declare to ShellCheck; callers keep those the script mentions.

    Declaring only mentioned names changes no finding (an unmentioned name
    cannot be flagged) and makes ShellCheck 2.5x faster on the corpus, whose
    RUNs have 12 names in scope on average.
    """
    names = set(ctx.model.variables_at(instr)) | set(PROXY_VARIABLES)
    return tuple(sorted(name for name in names if _IDENTIFIER.match(name)))


def _basename(program: str) -> str:
    return program.rsplit("/", 1)[-1]


def _has_unsupported_shebang(text: str) -> bool:
    return text.startswith("#!") and not text.startswith(_SUPPORTED_SHEBANGS)


def _run_scripts(run: Instruction, shell: str) -> list[tuple[str, tuple[_Line, ...], str]]:
    """(text, line places, shell) of each script a shell-form RUN runs."""
    assert run.source is not None
    source = run.source.text
    args_text, args_lines = _args_script(run)
    if not run.heredocs:
        return [(args_text, args_lines, shell)] if run.args.strip() else []
    scripts_in_heredocs = heredocs_are_scripts(run)
    out = []
    words = _command_words(run)
    if words:
        texts, lines = [args_text, "\n"], list(args_lines)
        for heredoc in run.heredocs:
            if not scripts_in_heredocs:
                texts.append(heredoc.body)
                lines.extend(_body_lines(heredoc.body, heredoc.body_start))
            end = heredoc.body_start + len(heredoc.body)
            terminator = source[end : heredoc.span.end] if heredoc.terminated else ""
            if terminator:
                texts.append(terminator + "\n")
                lines.append(_Line(len(terminator), base=end))
        out.append(("".join(texts), tuple(lines), shell))
    if scripts_in_heredocs:
        # `RUN <<EOF` runs the heredoc with the stage's shell, `RUN bash <<EOF` with bash.
        program = _CHECKABLE_PROGRAMS.get(_basename(words[0])) if words else shell
        for heredoc in run.heredocs:
            heredoc_shell = _shebang_shell(heredoc.content) or program
            if heredoc_shell and heredoc.content.strip():
                out.append((heredoc.content, _content_lines(heredoc), heredoc_shell))
    return out


def _args_script(run: Instruction) -> tuple[str, tuple[_Line, ...]]:
    """The shell-form text as a script with one line per source line.

    The builder joins continuation lines (and drops comment lines between
    them); a `\\`-newline between the pieces reads the same to the shell and
    keeps ShellCheck's lines and columns on the source's.
    """
    pieces: list[tuple[int, int]] = []
    previous = None
    for index in range(len(run.args)):
        offset = run.args_map.to_source(index)
        if previous is None or offset != previous + 1:
            pieces.append((index, offset))
        previous = offset
    ends = [start for start, _ in pieces[1:]] + [len(run.args)]
    texts = [run.args[start:end] for (start, _), end in zip(pieces, ends)]
    lines = tuple(_Line(len(text), base=base) for text, (_, base) in zip(texts, pieces))
    return "\\\n".join(texts), lines or (_Line(0, base=run.args_map.to_source(0)),)


def _command_words(run: Instruction) -> list[str]:
    """The RUN's words that are not heredoc markers: empty for a bare `RUN <<EOF`."""
    return [w.value for w in run.words if not w.raw.lstrip("0123456789").startswith("<<")]


def _shebang_shell(text: str) -> str | None:
    match = _SHEBANG_SHELL.match(text) if text.startswith("#!") else None
    return _basename(match.group(1)) if match else None


def _body_lines(body: str, start: int) -> list[_Line]:
    lines = []
    for line in body.splitlines(keepends=True):
        lines.append(_Line(len(line.rstrip("\r\n")), base=start))
        start += len(line)
    return lines


def _content_lines(heredoc: Heredoc) -> tuple[_Line, ...]:
    """Places of the lines of `heredoc.content` (leading tabs of `<<-` removed)."""
    if not heredoc.strip_tabs:
        return tuple(_body_lines(heredoc.body, heredoc.body_start))
    lines = []
    start = heredoc.body_start
    for line in heredoc.body.splitlines(keepends=True):
        stripped = line.lstrip("\t")
        lines.append(_Line(len(stripped.rstrip("\r\n")), base=start + len(line) - len(stripped)))
        start += len(line)
    return tuple(lines)


def _to_finding(script: _Script, item: ScriptFinding) -> Finding:
    """A finding on the reported instruction's first line, precise when the script line is that line."""
    instr = script.reported
    span = instr.span
    index = _script_line(script.input.line_map, item.line)
    if index is not None and instr.source is not None:
        place = script.lines[index]
        offset = place.to_source(item.column - 1)
        precise = instr.source.span(offset, offset)
        if precise.line == instr.line:
            span = precise
    return Finding(item.code, item.severity, item.message, span)


def _script_line(line_map: Sequence[int], line: int) -> int | None:
    """Index of the script line that lies on Dockerfile `line` (the map is increasing)."""
    for index, mapped in enumerate(line_map):
        if mapped == line:
            return index
    return None
