"""DL3048: invalid label key."""

from __future__ import annotations

import string
from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import key_values
from codi.rules.base import LintContext, Rule

_KEY_CHARS = frozenset(string.ascii_lowercase + string.digits + ".-_/")
_FIRST_CHARS = frozenset(string.ascii_lowercase)
_LAST_CHARS = frozenset(string.ascii_lowercase + string.digits)
_RESERVED_NAMESPACES = ("com.docker.", "io.docker.", "org.dockerproject.")


class InvalidLabelKey(Rule):
    """## What it does
    Checks that LABEL keys follow Docker's key format: lower-case letters,
    digits, `.`, `-`, `_` and `/`; starting with a letter and ending with a
    letter or digit; no `..` or `--`; outside the namespaces Docker reserves
    (`com.docker.`, `io.docker.`, `org.dockerproject.`).

    ## Why is this bad?
    Tools that read labels (registries, orchestrators, scanners) expect
    reverse-DNS keys; other keys are ignored or rejected, and the reserved
    namespaces belong to Docker.

    ## Example
    ```dockerfile
    LABEL Maintainer="team@example.com"
    ```

    ## Use instead
    ```dockerfile
    LABEL org.opencontainers.image.authors="team@example.com"
    ```

    ## Fix safety
    No fix: renaming a key breaks whatever reads it.

    ## References
    - hadolint DL3048
    - https://docs.docker.com/engine/manage-resources/labels/#key-format-recommendations
    """

    code = "DL3048"
    severity = Severity.STYLE
    message = "Invalid label key."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("LABEL"):
            if any(not _valid_key(pair.key) for pair in key_values(instr)):
                yield self.finding(instr)


def _valid_key(key: str) -> bool:
    return (
        key[:1] in _FIRST_CHARS
        and key[-1:] in _LAST_CHARS
        and set(key) <= _KEY_CHARS
        and not key.startswith(_RESERVED_NAMESPACES)
        and ".." not in key
        and "--" not in key
    )
