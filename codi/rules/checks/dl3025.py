"""DL3025: use JSON (exec) notation for CMD, ENTRYPOINT and HEALTHCHECK CMD."""

from __future__ import annotations

import json
from collections.abc import Iterator

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction, Word
from codi.pipeline.semantic import Stage
from codi.knowledge.arguments import exec_conversion_blocker
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import stage_and_ancestors

class JsonNotationForCommands(Rule):
    """## What it does
    Checks that `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` use the JSON array
    (exec) form.

    ## Why is this bad?
    The shell form runs the command under `/bin/sh -c`: the image needs a
    shell, the shell may stay PID 1 and swallow `SIGTERM` (no graceful
    stop), and a shell-form `ENTRYPOINT` silently ignores `CMD` and
    `docker run` arguments.

    ## Example
    ```dockerfile
    CMD python app.py
    ```

    ## Use instead
    ```dockerfile
    CMD ["python", "app.py"]
    ```

    ## Fix safety
    Offered only when the command line is unambiguous: every word is
    literal (no `$` expansion, glob, `~`, redirection, operator, escape, or
    quote that changes meaning), the first word is a program rather than a
    shell builtin or keyword, the stage's SHELL is the default `/bin/sh -c`,
    and no comment sits inside the instruction. Each word becomes one JSON
    string, in place, so line continuations stay.

    Safe for `CMD` and `HEALTHCHECK CMD`: without the `sh -c` wrapper the
    same program runs with the same argv, environment and PATH lookup. The
    one difference is the process tree: the program is now PID 1 and gets
    `SIGTERM` itself (bash, busybox ash and dash ≥ 0.5.11 already `exec` a
    single command, so often nothing changes). codi treats that as safe; a
    base image `ENTRYPOINT` that inspects its arguments would now see
    `python app.py` instead of `/bin/sh -c "python app.py"`, so a `CMD` is
    only fixed safely when no `ENTRYPOINT` is set in its stage or the
    stages it is built from in this file.

    Unsafe for `ENTRYPOINT` (and for `CMD` next to an `ENTRYPOINT`): in
    exec form, `CMD` and `docker run` arguments are appended to the
    entrypoint, where the shell form ignored them.

    The build is unchanged: no later instruction reads the command, only the
    container's start does.

    ## References
    - hadolint DL3025
    - https://docs.docker.com/reference/dockerfile/#shell-and-exec-form
    """

    code = "DL3025"
    severity = Severity.WARNING
    message = "Use arguments JSON notation for CMD and ENTRYPOINT arguments"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("CMD", "ENTRYPOINT", "HEALTHCHECK"):
            words = _command_words(instr)
            if words is None:
                continue
            yield self.finding(instr, fix=_fix(ctx, instr, words))


def _command_words(instr: Instruction) -> tuple[Word, ...] | None:
    """The words of a shell-form command, or None when there is none to report."""
    if instr.keyword != "HEALTHCHECK":
        return None if instr.is_exec_form else instr.words
    words = instr.words
    if not words or words[0].value.upper() != "CMD" or instr.is_exec_form:
        return None
    return words[1:]


def _fix(ctx: LintContext, instr: Instruction, words: tuple[Word, ...]) -> Fix | None:
    if exec_conversion_blocker(instr, words, ctx.model.shell_at(instr)) is not None:
        return None
    edits = [Edit.insert(instr.args_span(words[0].start, words[0].start).start, "[")]
    for index, word in enumerate(words):
        span = instr.args_span(word.start, word.end)
        separator = "]" if index == len(words) - 1 else ","
        edits.append(Edit(span.start, span.end, json.dumps(word.value, ensure_ascii=False) + separator))
    description = f"Use the JSON form of {instr.keyword}"
    if instr.keyword == "ENTRYPOINT" or (instr.keyword == "CMD" and _has_entrypoint(ctx.stage_of(instr))):
        return Fix.unsafe(description, *edits)
    return Fix.safe(description, *edits)


def _has_entrypoint(stage: Stage | None) -> bool:
    """Whether the stage, or a stage of this file it is built from, sets an ENTRYPOINT."""
    return any(
        instr.keyword == "ENTRYPOINT" for ancestor in stage_and_ancestors(stage) for instr in ancestor.instructions
    )
