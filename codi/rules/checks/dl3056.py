"""DL3056: labels typed `semver` in the label schema must hold a semantic version."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.rules.labels import is_semver, labels_with_bad_values


class LabelNotSemver(Rule):
    """## What it does
    Checks that labels typed `semver` in the configured `label-schema` hold a
    Semantic Versioning 2.0.0 version (`MAJOR.MINOR.PATCH[-pre][+build]`).

    codi uses the grammar published on semver.org. hadolint's Haskell parser
    also accepts leading zeros (`01.2.3`, `1.2.3-rc.01`) and an empty
    pre-release or build part (`1.2.3-`); codi reports those.

    ## Why is this bad?
    Release tooling compares versions; `v1.2` or `1.2.3.4` do not order as
    semantic versions.

    ## Example
    ```dockerfile
    # label-schema: {org.opencontainers.image.version: semver}
    LABEL org.opencontainers.image.version="v1.2"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.version="1.2.0"
    ```

    ## Fix safety
    No fix: the right value is not known.

    ## References
    - hadolint DL3056
    - https://semver.org/spec/v2.0.0.html
    """

    code = "DL3056"
    severity = Severity.WARNING
    message = "Label `<label>` does not conform to semantic versioning."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr, name in labels_with_bad_values(ctx, "semver", is_semver):
            yield self.finding(instr, f"Label `{name}` does not conform to semantic versioning.")
