"""How rules build fixes on RUN scripts: text inserted next to a word or after a command, a word removed.

Inserting keeps continuation-line layout untouched; every offset comes from
the shell model, so a fix is offered only where the script's words map to
the source (`exact_script`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from codi.knowledge.package_state import PackageState, later_reader
from codi.pipeline.edits import Edit, Fix
from codi.pipeline.model import Instruction
from codi.pipeline.shell import Command, RunShell, ShellScript, ShellWord
from codi.rules.base import LintContext


def exact_script(shell: RunShell) -> ShellScript | None:
    """The RUN's only script when its offsets map to the source; fixes need that."""
    if len(shell.scripts) == 1 and shell.scripts[0].exact:
        return shell.scripts[0]
    return None


def insert_after(instr: Instruction, word: ShellWord, text: str) -> Edit:
    """Insert `text` right after a word of the RUN script."""
    return Edit.insert(instr.args_span(word.start, word.end).end, text)


def first_arg(cmd: Command, values: tuple[str, ...]) -> ShellWord:
    """The first argument of `cmd` equal to one of `values` (the caller knows there is one)."""
    return next(word for word in cmd.args if word.value in values)


def insert_after_arg(instr: Instruction, cmd: Command, values: tuple[str, ...], text: str) -> Edit:
    """Insert `text` right after the first argument of `cmd` equal to one of `values`."""
    return insert_after(instr, first_arg(cmd, values), text)


def insertion_fix(
    instr: Instruction, shell: RunShell, anchors: Iterable[ShellWord], text: str, description: str, *, safe: bool = True
) -> Fix | None:
    """A fix inserting `text` (a missing option) right after each anchor word (the verb or command
    name it belongs to); None when the RUN's offsets do not map to the source."""
    if exact_script(shell) is None:
        return None
    edits = [insert_after(instr, word, text) for word in anchors]
    return Fix.safe(description, *edits) if safe else Fix.unsafe(description, *edits)


def remove_word_edits(instr: Instruction, script: ShellScript, word: ShellWord) -> list[Edit]:
    """Edits that delete a whole option word and the blank before it on the same line.

    Empty when the word is quoted or escaped (its source text is then not its
    value, so the removal would not be certain); the caller offers no fix.
    """
    if not script.exact or script.text[word.start : word.end] != word.value:
        return []
    start = word.start
    while start > 0 and script.text[start - 1] in " \t":
        start -= 1
    span = instr.args_span(start, word.end)
    if span.end - span.start != word.end - start:  # the blank crosses a line continuation
        span = instr.args_span(word.start, word.end)
    return [Edit.delete(span.start, span.end)]


def removal_fix(description: str, removals: Iterable[list[Edit]]) -> Fix | None:
    """An unsafe fix made of every removal's edits; None when one removal has none (that word
    cannot be removed with certainty, and a partial fix would leave the problem in place)."""
    edits: list[Edit] = []
    for removal in removals:
        if not removal:
            return None
        edits.extend(removal)
    return Fix.unsafe(description, *edits)


def append_command(instr: Instruction, cmd: Command, text: str) -> Edit | None:
    """An edit running `text` right after `cmd`: ` && <text>` at the end of its statement.

    None when no such place exists (`cmd` inside a command substitution or heredoc).
    """
    end = cmd.statement_end
    if end is None:
        return None
    return Edit.insert(instr.args_span(end - 1, end).end, f" && {text}")


def last_command(instr: Instruction, shell: RunShell, predicate: Callable[[Command], bool]) -> Command | None:
    """The last command matching `predicate`, where text appended after it lands with certainty.

    None for exec form, heredocs, a script that did not parse cleanly, or no match.
    """
    script = exact_script(shell)
    if instr.heredocs or script is None or script.has_errors:
        return None
    matching = [command for command in script.commands if predicate(command)]
    return matching[-1] if matching else None


def later_use_note(reader: Instruction | None, state: PackageState) -> str:
    """What an unsafe cleanup fix says about the later step that reads the deleted state ("" for none)."""
    if reader is None:
        return ""
    return f" (unsafe: line {reader.line} may still need {state.description})"


def cleanup_fix(
    ctx: LintContext,
    instr: Instruction,
    cleanups: Iterable[tuple[Command | None, str, PackageState]],
    description: str,
) -> Fix | None:
    """A fix running each cleanup `text` right after its command (`append_command`), deleting `state`.

    Safe when no later step reads any deleted state (`later_reader`: the
    cleanup then goes after the stage's last use of that package manager),
    else unsafe, naming the step. None when a cleanup has no command or no
    certain place.
    """
    edits: list[Edit] = []
    note = ""
    for cmd, text, state in cleanups:
        edit = append_command(instr, cmd, text) if cmd is not None else None
        if edit is None or cmd is None or cmd.statement_end is None:
            return None
        edits.append(edit)
        note = note or later_use_note(later_reader(ctx, instr, state, cmd.statement_end), state)
    if not edits:
        return None
    return Fix.unsafe(description + note, *edits) if note else Fix.safe(description, *edits)
