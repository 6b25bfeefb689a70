"""DL3029: do not use `--platform` with FROM."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule

_BUILD_PLATFORM_ARGS = ("BUILDPLATFORM", "TARGETPLATFORM")


class NoFromPlatform(Rule):
    """## What it does
    Checks that `FROM` does not pin `--platform` to a fixed value. The
    BuildKit platform arguments (`$BUILDPLATFORM`, `$TARGETPLATFORM`) are
    fine: they follow the platform the build is asked for.

    ## Why is this bad?
    A hard-coded platform overrides `docker build --platform`, so a
    multi-platform build silently produces images for the wrong
    architecture (or emulates it, slowly).

    ## Example
    ```dockerfile
    FROM --platform=linux/amd64 debian:12
    ```

    ## Use instead
    ```dockerfile
    FROM --platform=$BUILDPLATFORM golang:1.22 AS build
    FROM debian:12
    ```

    ## Fix safety
    No fix: removing the flag changes which image is built.

    ## References
    - hadolint DL3029 (any value mentioning BUILDPLATFORM or TARGETPLATFORM
      passes, `--platform=$TARGETOS/$TARGETARCH` does not).
    - https://docs.docker.com/build/building/multi-platform/
    """

    code = "DL3029"
    severity = Severity.WARNING
    message = "Do not use --platform flag with FROM"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("FROM"):
            platform = instr.flag("platform")
            if platform is None:
                continue
            value = platform.value or ""
            if not any(name in value for name in _BUILD_PLATFORM_ARGS):
                yield self.finding(instr)
