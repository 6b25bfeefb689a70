"""DL1001: refrain from inline ignore pragmas."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.pragmas import read_pragmas
from codi.rules.base import LintContext, Rule


class InlineIgnorePragma(Rule):
    """## What it does
    Reports every inline `# hadolint ignore=…` (or `# codi ignore=…`) comment,
    the kind that silences rules for the next line. Stage and global pragmas
    are not reported, as in hadolint.

    Off by default (severity `ignore`): enable it with a severity override for
    teams that want every exception recorded in the configuration instead.

    ## Why is this bad?
    Inline pragmas scatter exceptions through the Dockerfiles, where nobody
    reviews them; a central configuration keeps them in one place.

    ## Example
    ```dockerfile
    # hadolint ignore=DL3008
    RUN apt-get install -y curl
    ```

    ## Use instead
    ```yaml
    # .hadolint.yaml
    ignored:
      - DL3008
    ```

    ## Fix safety
    No fix: removing the pragma would bring the silenced findings back.

    ## References
    - hadolint DL1001
    """

    code = "DL1001"
    severity = Severity.IGNORE
    # hadolint's text, double space included, so reports stay comparable.
    message = "Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        ignored_lines = read_pragmas(ctx.document).by_line
        for comment in ctx.document.comments:
            # A line pragma on line N registers its codes for line N + 1.
            if comment.span.line + 1 in ignored_lines:
                yield self.finding(comment.span)
