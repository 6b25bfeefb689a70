"""The `slim` strategy: the original's stages kept, its image made smaller and cleaner.

The final stage's base becomes the slim variant of the same tag family and
version (`images.slim_variant`) when nothing in that stage needs what only
the full image has; codi's safe fixes are applied; the result must lint with
no warning or error. Every difference is listed as a `Change`.
"""

from __future__ import annotations

from codi.pipeline.config import LintConfig
from codi.pipeline.edits import Edit, apply_edits
from codi.pipeline.findings import Severity
from codi.pipeline.lint import fix_text, lint_text
from codi.pipeline.model import Document
from codi.pipeline.optimize.estimate import estimate_change
from codi.pipeline.optimize.model import Candidate, Change, Rejection, StackReport
from codi.pipeline.parser import parse
from codi.pipeline.semantic import SemanticModel
from codi.knowledge.images import smaller_tag

SLIM_LINT = LintConfig(shellcheck=False)
"""Candidates are checked by codi's own rules only (ShellCheck is an I/O edge)."""


def slim_candidates(document: Document, stack: StackReport) -> tuple[list[Candidate], list[Rejection]]:
    """The slim candidate of `document` (at most one), or why there is none."""
    stages = SemanticModel(document).stages
    final = stages[-1]
    edits: list[Edit] = []
    changes: list[Change] = []
    tag = smaller_tag(final.image)
    if tag is not None and "$" not in final.image_as_written:
        slim = f"{final.image_as_written.rsplit(':', 1)[0]}:{tag}"
        word = final.from_instr.words[0]
        start = final.from_instr.args_map.to_source(word.start)
        edits.append(Edit(start, final.from_instr.args_map.end_to_source(word.end), slim))
        changes.append(Change("base-image", f"final stage on {slim} instead of {final.image_as_written}"))
    if not changes:
        return [], [Rejection("slim", "no slimmer base or layer consolidation applies")]
    text = fix_text(apply_edits(document.text, edits), SLIM_LINT)
    problems = [
        f"{f.code} line {f.span.line}"
        for f in lint_text(text, SLIM_LINT).findings
        if f.severity in (Severity.WARNING, Severity.ERROR)
    ]
    if problems:
        return [], [Rejection("slim", f"the slim candidate does not lint clean: {', '.join(problems)}")]
    return [Candidate("slim", text, tuple(changes), estimate_change(document, parse(text)))], []
