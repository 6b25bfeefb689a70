"""DL3058: labels typed `email` in the label schema must hold an email address."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.rules.labels import is_email, labels_with_bad_values


class LabelNotEmail(Rule):
    """## What it does
    Checks that labels typed `email` in the configured `label-schema` hold an
    RFC 5322 address, read as hadolint's `email-validate` reads it: a
    dot-atom or quoted local part (64 characters at most), `@`, a host name
    or a `[literal]` domain; comments and spaces around the parts are allowed.

    ## Why is this bad?
    Maintainer labels are used to contact the owners; a display name with
    angle brackets or a bare user name is not an address.

    ## Example
    ```dockerfile
    # label-schema: {maintainer: email}
    LABEL maintainer="Jane Doe <jane@example.com>"
    ```

    ## Use instead
    ```dockerfile
    LABEL maintainer="jane@example.com"
    ```

    ## Fix safety
    No fix: the right value is not known.

    ## References
    - hadolint DL3058
    - RFC 5322, section 3.4.1 (addr-spec)
    """

    code = "DL3058"
    severity = Severity.WARNING
    message = "Label `<label>` is not a valid email format - must conform to RFC5322."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr, name in labels_with_bad_values(ctx, "email", is_email):
            yield self.finding(instr, f"Label `{name}` is not a valid email format - must conform to RFC5322.")
