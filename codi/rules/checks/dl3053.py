"""DL3053: labels typed `rfc3339` in the label schema must hold an RFC 3339 date-time."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.rules.labels import is_rfc3339, labels_with_bad_values


class LabelNotRfc3339(Rule):
    """## What it does
    Checks that labels typed `rfc3339` in the configured `label-schema` hold
    a full RFC 3339 date-time: `YYYY-MM-DDThh:mm:ss[.frac]` and a `Z` or
    `+hh:mm` offset, on a real calendar date.

    codi follows the RFC itself. hadolint's Haskell time parser also accepts
    2- or 5-digit years, offsets without a colon (`+0100`) or beyond 23:59,
    and an empty fraction (`00.Z`); codi reports those.

    ## Why is this bad?
    Build dates are compared and sorted by tools; a date-only or
    locale-formatted value cannot be read back reliably.

    ## Example
    ```dockerfile
    # label-schema: {org.opencontainers.image.created: rfc3339}
    LABEL org.opencontainers.image.created="2024-05-01"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.created="2024-05-01T12:00:00Z"
    ```

    ## Fix safety
    No fix: the right value is not known.

    ## References
    - hadolint DL3053
    - RFC 3339, section 5.6
    """

    code = "DL3053"
    severity = Severity.WARNING
    message = "Label `<label>` is not a valid time format - must conform to RFC3339."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr, name in labels_with_bad_values(ctx, "rfc3339", is_rfc3339):
            yield self.finding(instr, f"Label `{name}` is not a valid time format - must conform to RFC3339.")
