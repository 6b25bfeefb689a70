"""Package-manager predicates shared by the install rules (apt-get, apk, npm, gem, yum).

They mirror the `Hadolint.Shell` helpers the hadolint rules compose
(`dropFlagArg`, `getArgsNoFlags`), plus the one way these rules build a fix: text inserted right after a word of
the RUN script, which keeps continuation-line layout untouched.
"""

from __future__ import annotations

from codi.pipeline.edits import Edit
from codi.pipeline.model import Instruction
from codi.pipeline.shell import Command, RunShell, ShellScript


def packages_of(cmd: Command, value_flags: tuple[str, ...] = ()) -> list[str]:
    """Non-flag arguments, after dropping the separate value words of `value_flags`.

    hadolint's `getArgsNoFlags . dropFlagArg value_flags`: `--virtual .deps`
    loses `.deps`, `--virtual=.deps` is a flag word and goes anyway.
    """
    flag_indexes = {flag.index for flag in cmd.flags}
    dropped = {
        flag.index + 1
        for flag in cmd.flags
        if flag.name in value_flags and "=" not in cmd.args[flag.index].value and flag.index + 1 < len(cmd.args)
    }
    return [word.value for i, word in enumerate(cmd.args) if i not in flag_indexes and i not in dropped]


def exact_script(shell: RunShell) -> ShellScript | None:
    """The RUN's only script when its offsets map to the source; fixes need that."""
    if len(shell.scripts) == 1 and shell.scripts[0].exact:
        return shell.scripts[0]
    return None


def insert_after_arg(instr: Instruction, cmd: Command, values: tuple[str, ...], text: str) -> Edit:
    """Insert `text` right after the first argument of `cmd` equal to one of `values`."""
    word = next(w for w in cmd.args if w.value in values)
    return Edit.insert(instr.args_span(word.start, word.end).end, text)
