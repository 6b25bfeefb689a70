"""The arguments of an instruction as plain values, whichever form it is written in, whether a
shell-form command converts to exec form unchanged, and which COPY/ADD sources are archives.

CMD, ENTRYPOINT, COPY and ADD take a JSON array (exec form) or words (shell
form); the rules that read their arguments (entry points, sources and
destination) want the values either way. DL3025's fix and the optimiser's
start-command analysis share `exec_conversion_blocker`. DL3010 and DL3020
judge sources by hadolint's list of archive extensions.
"""

from __future__ import annotations

import re

from codi.pipeline.model import Instruction, Word
from codi.pipeline.semantic import DEFAULT_SHELL

# A word whose shell meaning is its literal text: plain characters, or quotes
# around text in which the shell expands nothing.
_LITERAL_WORD = re.compile(r"""(?:[A-Za-z0-9_./:,@%+=-]|'[^']*'|"[^"$`\\!]*")+""")
SHELL_BUILTINS = frozenset(
    {
        ":", ".", "alias", "bg", "break", "builtin", "case", "cd", "command", "continue", "declare", "do", "done",
        "elif", "else", "enable", "esac", "eval", "exec", "exit", "export", "fg", "fi", "for", "function", "getopts",
        "hash", "if", "jobs", "local", "popd", "pushd", "read", "readonly", "return", "select", "set", "shift",
        "shopt", "source", "then", "time", "times", "trap", "type", "typeset", "ulimit", "umask", "unalias", "unset",
        "until", "wait", "while",
    }
)
"""Names a shell runs itself (builtins and keywords of sh and bash): as an exec-form argv[0] they would not be
found, and the state most of them change (directory, variables, options, umask) ends with their shell."""

_ARCHIVE_EXTENSIONS = (
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz", ".tpz", ".txz",
    ".xz",
)  # fmt: skip


def argument_values(instr: Instruction) -> list[str]:
    """The exec-form array, or the values of the shell-form words (quotes removed)."""
    return list(instr.exec_form) if instr.exec_form is not None else [word.value for word in instr.words]


def is_archive(name: str) -> bool:
    """Whether a file name has one of the archive extensions hadolint knows (ADD would unpack it)."""
    return name.endswith(_ARCHIVE_EXTENSIONS)


def exec_conversion_blocker(instr: Instruction, words: tuple[Word, ...], shell: tuple[str, ...]) -> str | None:
    """Why the shell-form command `words` of `instr` cannot become an exec-form argv with the same
    meaning, or None when it can: every word literal (no expansion, glob, `~`, redirection,
    operator, escape or meaningful quote), a program rather than a shell builtin or an
    assignment first, the default `/bin/sh -c` as SHELL, and no comment inside the instruction.
    """
    if not words:
        return "there is no command"
    if instr.comments:
        return "a comment sits inside the instruction"
    if shell != DEFAULT_SHELL:
        return f"the stage's SHELL is {' '.join(shell)}, not /bin/sh -c"
    for word in words:
        if not _LITERAL_WORD.fullmatch(word.raw):
            return f"`{word.raw}` needs the shell (expansion, glob, operator, redirection or escape)"
    if words[0].value in SHELL_BUILTINS:
        return f"`{words[0].value}` is a shell builtin or keyword, not a program"
    if "=" in words[0].value:
        return f"`{words[0].value}` assigns a variable"
    return None
