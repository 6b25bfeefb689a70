"""The arguments of an instruction as plain values, whichever form it is written in.

CMD, ENTRYPOINT, COPY and ADD take a JSON array (exec form) or words (shell
form); the rules that read their arguments (entry points, sources and
destination) want the values either way.
"""

from __future__ import annotations

from codi.pipeline.model import Instruction


def argument_values(instr: Instruction) -> list[str]:
    """The exec-form array, or the values of the shell-form words (quotes removed)."""
    return list(instr.exec_form) if instr.exec_form is not None else [word.value for word in instr.words]
