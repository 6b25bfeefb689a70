"""DL3037: pin versions in `zypper install`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule


class ZypperVersionPinning(Rule):
    """## What it does
    Checks that packages installed with `zypper install` carry a version
    constraint (`httpd=2.4.51`, `httpd>=2.4`, …) or are `.rpm` files.

    ## Why is this bad?
    Without a version the build installs whatever the repository holds that
    day, so two builds of the same Dockerfile can differ and break silently.

    ## Example
    ```dockerfile
    RUN zypper install -y httpd && zypper clean
    ```

    ## Use instead
    ```dockerfile
    RUN zypper install -y httpd=2.4.51 && zypper clean
    ```

    ## Fix safety
    No fix: the version to pin is not known. Also checked inside `ONBUILD`.

    ## References
    - hadolint DL3037
    """

    code = "DL3037"
    severity = Severity.WARNING
    message = "Specify version with `zypper install -y <package>=<version>`."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if any(not _pinned(package) for cmd in ctx.shell(instr).commands for package in _packages(cmd)):
                yield self.finding(instr)


def _packages(cmd: Command) -> list[str]:
    if cmd.name != "zypper" or not cmd.has_args("install", "in"):
        return []
    return [arg for arg in cmd.args_no_flags() if arg not in ("install", "in")]


def _pinned(package: str) -> bool:
    return any(op in package for op in ("=", "<", ">")) or package.endswith(".rpm")
