"""DL3062: pin versions in `go install` / `go get` / `go run`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule

_SUBCOMMANDS = ("install", "get", "run")
_FLOATING_VERSIONS = ("@latest", "@none")
# Build flags of `go install/get/run` that take their value as the next word.
_VALUE_FLAGS = (
    "C", "asmflags", "buildmode", "buildvcs", "compiler", "exec", "gccgoflags", "gcflags",
    "installsuffix", "ldflags", "mod", "modfile", "o", "overlay", "p", "pgo", "pkgdir",
    "tags", "toolexec",
)


class GoVersionPinned(Rule):
    """## What it does
    Checks that packages given to `go install`, `go get` and `go run` carry a
    version (`pkg@v1.2.3`); `@latest`, `@none` and no version at all are reported.
    Local paths (`.`, `./cmd/x`, `/src/x`) and `.go` files need no version.

    ## Why is this bad?
    Without a pinned version every build fetches whatever is newest, so two
    builds of the same Dockerfile produce different binaries and a broken or
    malicious release lands silently.

    ## Example
    ```dockerfile
    RUN go install golang.org/x/tools/gopls@latest
    ```

    ## Use instead
    ```dockerfile
    RUN go install golang.org/x/tools/gopls@v0.16.2
    ```

    ## Fix safety
    No fix: the version to pin is not known.

    Differences from hadolint, where hadolint is wrong: hadolint ignores the
    `go install`/`go get` packages of a RUN as soon as that RUN also has a
    `go run`; it reads the value of a flag such as `-tags netgo` as a package;
    and it reports `go run main.go`. codi checks every command, skips the values
    of go's build flags and treats `.go` files as local. Also checked inside
    `ONBUILD`.

    ## References
    - hadolint DL3062
    """

    code = "DL3062"
    severity = Severity.WARNING
    message = "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            commands = ctx.shell(instr).commands
            if any(not _is_pinned(package) for cmd in commands for package in go_packages(cmd)):
                yield self.finding(instr)


def go_packages(cmd: Command) -> list[str]:
    """The package arguments of a `go install|get|run` command (for `go run`, only the first)."""
    if cmd.name != "go":
        return []
    words = _positional(cmd)
    if not words or words[0] not in _SUBCOMMANDS:
        return []
    subcommand, packages = words[0], [word for word in words[1:] if word != "tool"]
    return packages[:1] if subcommand == "run" else packages


def _positional(cmd: Command) -> list[str]:
    """Arguments that are neither flags nor the separate values of go's build flags.

    Go flags are single words with one or two dashes (`-tags`, `--tags=x`), so
    hadolint's letter-by-letter flag split does not apply here.
    """
    out: list[str] = []
    expects_value = False
    for word in cmd.values:
        if expects_value:
            expects_value = False
        elif word.startswith("-") and word not in ("-", "--"):
            name, has_value, _ = word.lstrip("-").partition("=")
            expects_value = name in _VALUE_FLAGS and not has_value
        else:
            out.append(word)
    return out


def _is_pinned(package: str) -> bool:
    if package == "." or package.startswith(("/", ".")) or package.endswith(".go"):
        return True
    return "@" in package and not package.endswith(_FLOATING_VERSIONS)
