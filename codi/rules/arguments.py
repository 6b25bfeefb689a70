"""The arguments of an instruction as plain values, whichever form it is written in, and
which COPY/ADD sources are archives.

CMD, ENTRYPOINT, COPY and ADD take a JSON array (exec form) or words (shell
form); the rules that read their arguments (entry points, sources and
destination) want the values either way. DL3010 and DL3020 judge sources by
hadolint's list of archive extensions.
"""

from __future__ import annotations

from codi.pipeline.model import Instruction

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
