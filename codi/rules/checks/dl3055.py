"""DL3055: labels typed `hash` in the label schema must hold a git commit hash."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.rules.labels import is_git_hash, labels_with_bad_values


class LabelNotGitHash(Rule):
    """## What it does
    Checks that labels typed `hash` in the configured `label-schema` hold a
    git commit hash: 40 (full) or 7 (short) lowercase hexadecimal digits.

    ## Why is this bad?
    The label is how an image is traced back to its source; a branch name or
    an upper-case or oddly truncated hash does not identify a commit the way
    tools expect.

    ## Example
    ```dockerfile
    # label-schema: {org.opencontainers.image.revision: hash}
    LABEL org.opencontainers.image.revision="main"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.revision="3f2c1a9"
    ```

    ## Fix safety
    No fix: the right value is not known.

    ## References
    - hadolint DL3055
    """

    code = "DL3055"
    severity = Severity.WARNING
    message = "Label `<label>` is not a valid git hash."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr, name in labels_with_bad_values(ctx, "hash", is_git_hash):
            yield self.finding(instr, f"Label `{name}` is not a valid git hash.")
