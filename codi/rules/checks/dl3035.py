"""DL3035: do not use `zypper dist-upgrade`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule


class ZypperDistUpgrade(Rule):
    """## What it does
    Checks for `zypper dist-upgrade` (or `zypper dup`) in RUN.

    ## Why is this bad?
    A distribution upgrade inside an image build replaces the base image's
    packages with whatever the repositories hold that day: builds stop being
    reproducible and the image grows by a second copy of the system. Use a
    newer base image instead.

    ## Example
    ```dockerfile
    RUN zypper dist-upgrade -y
    ```

    ## Use instead
    ```dockerfile
    FROM opensuse/leap:15.6
    ```

    ## Fix safety
    No fix: the right base image is a human decision. Also checked inside
    `ONBUILD`.

    ## References
    - hadolint DL3035
    """

    code = "DL3035"
    severity = Severity.WARNING
    message = "Do not use `zypper dist-upgrade`."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if any(cmd.name == "zypper" and cmd.has_args("dist-upgrade", "dup") for cmd in ctx.shell(instr).commands):
                yield self.finding(instr)
