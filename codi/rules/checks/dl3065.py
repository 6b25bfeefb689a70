"""DL3065: `FROM --platform=$TARGETPLATFORM` is redundant."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule

_TARGET_PLATFORM = ("$TARGETPLATFORM", "${TARGETPLATFORM}")


class RedundantTargetPlatform(Rule):
    """## What it does
    Checks for `FROM --platform=$TARGETPLATFORM`.

    ## Why is this bad?
    A stage is built for the target platform unless told otherwise, so the flag
    only adds noise, and it hides the stages that really pin a platform
    (`--platform=$BUILDPLATFORM` for cross-compiling).

    ## Example
    ```dockerfile
    FROM --platform=$TARGETPLATFORM alpine:3.20
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    ```

    ## Fix safety
    Safe: removes the flag, which is the default. Unsafe when the Dockerfile
    declares a global `ARG TARGETPLATFORM=<default>`: the legacy builder (no
    BuildKit) would use that default, so removing the flag could change the
    platform there.

    The stage and the stages built `FROM` it get the same platform under
    BuildKit, so later instructions are unaffected.

    ## References
    - hadolint DL3065
    - BuildKit check RedundantTargetPlatform
    """

    code = "DL3065"
    severity = Severity.WARNING
    message = (
        "Setting `FROM --platform` to predefined `$TARGETPLATFORM` in is redundant as this is the default behavior"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("FROM"):
            flag = instr.flag("platform")
            if flag is None or flag.value not in _TARGET_PLATFORM:
                continue
            text = ctx.document.text
            end = flag.span.end
            while end < len(text) and text[end] in " \t":
                end += 1
            edit = Edit.delete(flag.span.start, end)
            if ctx.model.global_args.get("TARGETPLATFORM") is None:
                fix = Fix.safe("Remove the redundant --platform flag", edit)
            else:
                fix = Fix.unsafe("Remove the --platform flag (a global ARG TARGETPLATFORM has a default)", edit)
            yield self.finding(instr, fix=fix)
