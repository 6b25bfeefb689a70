"""DL4000: MAINTAINER is deprecated."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.rules.base import LintContext, Rule


class DeprecatedMaintainer(Rule):
    """## What it does
    Reports the deprecated `MAINTAINER` instruction.

    ## Why is this bad?
    `MAINTAINER` only fills the image's legacy `Author` field, which newer
    tooling ignores; the OCI convention is a `maintainer` label (or
    `org.opencontainers.image.authors`).

    ## Example
    ```dockerfile
    MAINTAINER Jane Doe <jane@example.com>
    ```

    ## Use instead
    ```dockerfile
    LABEL maintainer="Jane Doe <jane@example.com>"
    ```

    ## Fix safety
    Safe: replaces the instruction with `LABEL maintainer="…"` holding the
    same text. `MAINTAINER` takes its text literally, so the value is quoted
    with `"`, `$` and the escape character escaped (a `$` must not start a
    variable expansion in `LABEL`). The image gets the label instead of the
    deprecated `Author` field, which is the point of the rule.

    Build steps are unaffected; the new `maintainer` label replaces one
    inherited from the base image, which `MAINTAINER` left alone.

    ## References
    - hadolint DL4000
    - https://docs.docker.com/reference/dockerfile/#maintainer-deprecated
    """

    code = "DL4000"
    severity = Severity.ERROR
    message = "MAINTAINER is deprecated"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("MAINTAINER"):
            yield self.finding(instr, fix=_label_fix(instr, ctx.document.escape))


def _label_fix(instr: Instruction, escape: str) -> Fix | None:
    value = instr.args.strip()
    args = instr.args_span()
    if not value or args.end_line != instr.keyword_span.line:
        return None  # a continued MAINTAINER would lose its layout
    quoted = "".join(escape + ch if ch in ('"', "$", escape) else ch for ch in value)
    return Fix.safe(
        "Replace MAINTAINER with a maintainer label",
        Edit(instr.keyword_span.start, args.end, f'LABEL maintainer="{quoted}"'),
    )
