"""DL3052: labels typed `url` in the label schema must hold a valid URL."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.rules.labels import is_url, labels_with_bad_values


class LabelNotUrl(Rule):
    """## What it does
    Checks that labels typed `url` in the configured `label-schema` hold an
    absolute URI as RFC 3986 defines it (hadolint's `Network.URI.parseURI`):
    a scheme is required, and spaces or `{}<>|^"` must be percent-encoded.

    ## Why is this bad?
    Registries, scanners and dashboards follow the label as a link; a value
    without a scheme or with spaces leads nowhere.

    ## Example
    ```dockerfile
    # label-schema: {org.opencontainers.image.source: url}
    LABEL org.opencontainers.image.source="github.com/acme/app"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.source="https://github.com/acme/app"
    ```

    ## Fix safety
    No fix: the right value is not known.

    ## References
    - hadolint DL3052
    - RFC 3986, section 4.3 (absolute URI)
    """

    code = "DL3052"
    severity = Severity.WARNING
    message = "Label `<label>` is not a valid URL."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr, name in labels_with_bad_values(ctx, "url", is_url):
            yield self.finding(instr, f"Label `{name}` is not a valid URL.")
