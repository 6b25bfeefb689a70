"""DL3016: pin versions in `npm install`."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import dropwhile

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule

_VALUE_FLAGS = ("loglevel", "registry")
_GIT_PREFIXES = ("git://", "git+ssh://", "git+http://", "git+https://")
_TARBALL_SUFFIXES = (".tar", ".tar.gz", ".tgz")
_PATH_PREFIXES = ("/", "./", "../", "~/")


class NpmPinVersions(Rule):
    """## What it does
    Checks that every package named in `npm install <pkg>` carries a version
    (`pkg@1.2.3`), a git commit (`git+https://…#<commit>`), or is a tarball or
    a local folder. A bare `npm install` (versions from package.json) is fine.

    ## Why is this bad?
    An unpinned package resolves to whatever is latest at build time, so two
    builds of the same Dockerfile can differ and a new major release can break
    the image without any change in the repository.

    ## Example
    ```dockerfile
    RUN npm install -g express
    ```

    ## Use instead
    ```dockerfile
    RUN npm install -g express@4.18.2
    ```

    ## Fix safety
    No fix: the version to pin is a decision, not a rewrite.

    ## References
    - hadolint DL3016
    - https://docs.npmjs.com/cli/commands/npm-install
    """

    code = "DL3016"
    severity = Severity.WARNING
    message = "Pin versions in npm. Instead of `npm install <package>` use `npm install <package>@<version>`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if any(_forgot_to_pin(cmd) for cmd in ctx.shell(instr).commands):
                yield self.finding(instr)


def _forgot_to_pin(cmd: Command) -> bool:
    """`npm install` as the subcommand, with some package not pinned."""
    if cmd.name != "npm" or not cmd.has_args("install"):
        return False
    args = [word.value for word in cmd.operands(_VALUE_FLAGS)]
    if args[:1] != ["install"]:
        return False
    packages = list(dropwhile(lambda arg: arg == "install", args))
    return not all(_is_pinned(package) for package in packages)


def _is_pinned(package: str) -> bool:
    if package.startswith(_GIT_PREFIXES):
        return "#" in package
    if package.endswith(_TARBALL_SUFFIXES) or package.startswith(_PATH_PREFIXES):
        return True
    name = package.partition("/")[2] if package.startswith("@") else package
    return "@" in name
