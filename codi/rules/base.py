"""What a lint rule is and what it gets to look at.

A rule is one class in one module under `codi/rules/checks/`: its code,
default severity, message, a docstring in ruff's sections (What it does / Why
is this bad? / Example / Use instead / Fix safety / References) and a
`check` that yields findings. Rules are pure: they read the `LintContext`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from codi.pipeline.config import LintConfig
from codi.pipeline.edits import Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Document, Instruction
from codi.pipeline.semantic import SemanticModel, Stage
from codi.pipeline.shell import RunShell, ShellScript, parse_script
from codi.pipeline.source import Span

_SHELL_PROGRAMS = frozenset({"sh", "bash", "ash", "dash", "ksh", "zsh", "busybox"})
_NON_POSIX_SHELLS = ("pwsh", "powershell", "cmd")


class LintContext:
    """One document prepared for the rules: parse tree, semantic model, config, shell models."""

    def __init__(
        self,
        document: Document,
        config: LintConfig | None = None,
        context_files: frozenset[str] | None = None,
    ) -> None:
        self.document = document
        self.model = SemanticModel(document)
        self.config = config or LintConfig()
        self.context_files = context_files
        """Paths (relative, `/`-separated) of the build context, or None when no context is known."""
        self._shells: dict[int, RunShell] = {}

    def instructions(self, *keywords: str, onbuild: bool = False) -> Iterator[Instruction]:
        """Instructions with one of `keywords` (all when none given).

        With `onbuild`, the instruction inside each ONBUILD is visited too, as
        hadolint's `onbuild` combinator does.
        """
        wanted = set(keywords)
        for instr in self.document.instructions:
            if not wanted or instr.keyword in wanted:
                yield instr
            if onbuild and instr.inner is not None and (not wanted or instr.inner.keyword in wanted):
                yield instr.inner

    def stage_of(self, instr: Instruction) -> Stage | None:
        return self.model.stage_of(instr)

    def shell(self, instr: Instruction) -> RunShell:
        """The shell model of a RUN: its shell-form text plus heredocs fed to a shell.

        Exec-form RUN is joined with spaces (as hadolint does) and marked
        inexact, so rules do not compute fixes on it.
        """
        cached = self._shells.get(id(instr))
        if cached is not None:
            return cached
        scripts: list[ShellScript] = []
        if instr.exec_form is not None:
            scripts.append(parse_script(" ".join(instr.exec_form), exact=False))
        else:
            if instr.args.strip():
                scripts.append(parse_script(instr.args))
            if instr.heredocs and heredocs_are_scripts(instr):
                scripts.extend(parse_script(heredoc.content, exact=False) for heredoc in instr.heredocs)
        run_shell = RunShell(tuple(scripts))
        self._shells[id(instr)] = run_shell
        return run_shell

    def is_posix_shell(self, instr: Instruction) -> bool:
        """False when the stage's SHELL is PowerShell or cmd."""
        shell = " ".join(self.model.shell_at(instr)).lower()
        return not any(name in shell for name in _NON_POSIX_SHELLS)

    def script_span(self, instr: Instruction, start: int, end: int) -> Span:
        """Source span of [start, end) in the shell-form script of `instr`."""
        return instr.args_span(start, end)


def has_cache_mount(instr: Instruction, fragment: str, types: tuple[str, ...] = ("cache", "tmpfs")) -> bool:
    """Whether a mount of one of `types` (cache or tmpfs) targets a path containing `fragment`.

    What lands in such a mount is not stored in the image layer, so nothing
    there needs cleaning (hadolint's `hasCacheOrTmpfsMountWith`).
    """
    return any(mount.type in types and fragment in mount.target for mount in instr.mounts)


def heredocs_are_scripts(instr: Instruction) -> bool:
    """Whether a RUN's heredocs are shell scripts (not stdin data for, say, python)."""
    words = [w.value for w in instr.words if not w.raw.lstrip("0123456789").startswith("<<")]
    if not words:
        return True
    program = words[0].rsplit("/", 1)[-1]
    return program in _SHELL_PROGRAMS


class Rule:
    """Base class of all rules. Subclasses set the class variables and implement `check`."""

    code: ClassVar[str]
    severity: ClassVar[Severity]
    message: ClassVar[str]

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        where: Instruction | Span,
        message: str | None = None,
        fix: Fix | None = None,
    ) -> Finding:
        """A finding of this rule on an instruction (or an explicit span)."""
        span = where.span if isinstance(where, Instruction) else where
        return Finding(self.code, self.severity, message or self.message, span, fix)
