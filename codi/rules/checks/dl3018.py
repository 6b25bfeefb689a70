"""DL3018: pin versions in `apk add`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule

_VALUE_FLAGS = ("t", "virtual", "repository", "X")
_VERSION_OPERATORS = ("=", "~", ">", "<")


class ApkPinVersions(Rule):
    """## What it does
    Checks that every package of `apk add` is pinned with a version
    constraint (`pkg=1.2.3-r0`, `pkg~1.2`, `pkg>=1.2`) or is a local `.apk` file.

    ## Why is this bad?
    An unpinned package is whatever the repository holds at build time, so
    rebuilding the same Dockerfile can produce a different image, and a bad
    upstream release breaks the build without any change on your side.

    ## Example
    ```dockerfile
    RUN apk add --no-cache curl
    ```

    ## Use instead
    ```dockerfile
    RUN apk add --no-cache curl=8.5.0-r0
    ```

    ## Fix safety
    No fix: the version to pin is a decision, not a rewrite.

    ## References
    - hadolint DL3018
    - https://wiki.alpinelinux.org/wiki/Alpine_Package_Keeper
    """

    code = "DL3018"
    severity = Severity.WARNING
    message = "Pin versions in apk add. Instead of `apk add <package>` use `apk add <package>=<version>`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if any(_has_unpinned_package(cmd) for cmd in ctx.shell(instr).commands):
                yield self.finding(instr)


def _has_unpinned_package(cmd: Command) -> bool:
    if cmd.name != "apk" or not cmd.has_args("add"):
        return False
    packages = [word.value for word in cmd.operands(_VALUE_FLAGS) if word.value != "add"]
    return not all(_is_pinned(package) for package in packages)


def _is_pinned(package: str) -> bool:
    return any(operator in package for operator in _VERSION_OPERATORS) or package.endswith(".apk")
