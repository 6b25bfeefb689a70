"""CD1009: packages installed without checking their signatures."""

from __future__ import annotations

import re
from collections.abc import Iterator

from codi.pipeline.edits import Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.shell import Command, ShellScript, ShellWord
from codi.rules.base import LintContext, Rule
from codi.rules.fixes import removal_fix, remove_word_edits

# Options that switch signature checks off, per package manager.
_UNSIGNED_OPTIONS: dict[frozenset[str], frozenset[str]] = {
    frozenset({"apk"}): frozenset({"--allow-untrusted"}),
    frozenset({"apt-get", "apt", "aptitude"}): frozenset(
        {"--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories"}
    ),
    frozenset({"yum", "dnf", "microdnf", "tdnf"}): frozenset({"--nogpgcheck", "--no-gpgcheck"}),
    frozenset({"rpm"}): frozenset({"--nogpgcheck", "--nosignature", "--nodigest", "--noverify", "--nofiledigest"}),
    frozenset({"zypper"}): frozenset({"--no-gpg-checks", "--no-gpg-check"}),
}
# Settings that do the same, wherever they are written (`--setopt=`, `-o`, an echo into a .repo or sources.list).
_UNSIGNED_SETTINGS = re.compile(
    r"(?<![A-Za-z0-9_])(?:repo_|localpkg_)?gpgcheck\s*=\s*['\"]?(?:0|false|no)\b"
    r"|\[[^\[\]]*\btrusted=yes\b[^\[\]]*\]"  # no `[` inside: each `[` of `[[[…` scanned to the end
    r"|APT::Get::AllowUnauthenticated\W+(?:1|true|yes)\b"
    r"|Acquire::AllowInsecureRepositories\W+(?:1|true|yes)\b",
    re.IGNORECASE,
)


class UnsignedPackages(Rule):
    """## What it does
    Checks for package installs that skip signature checks: `apk
    --allow-untrusted`, `apt-get --allow-unauthenticated` / `--force-yes` /
    `--allow-insecure-repositories`, `yum`/`dnf --nogpgcheck`, `rpm
    --nosignature` / `--nodigest` / `--noverify` / `--nofiledigest`, `zypper
    --no-gpg-checks`, and settings such as `gpgcheck=0`, `deb [trusted=yes]`
    or `APT::Get::AllowUnauthenticated true`.

    ## Why is this bad?
    Signatures are what ties a package to its publisher; without them a
    compromised mirror or a man in the middle can install anything, as root,
    in the image.

    ## Example
    ```dockerfile
    RUN apk add --allow-untrusted ./tool.apk
    ```

    ## Use instead
    ```dockerfile
    COPY tool.rsa.pub /etc/apk/keys/
    RUN apk add ./tool.apk
    ```

    ## Fix safety
    Unsafe, offered when every finding of the RUN is one of the options above:
    it removes them, and the install then fails if the package really is
    unsigned or its key is not installed. Settings written into files are not
    fixed.

    Later steps: whatever the fixed install then refuses is missing for them
    as well.

    ## References
    - Checkov CKV2_DOCKER_7 (apk --allow-untrusted), CKV2_DOCKER_8 (apt-get
      --allow-unauthenticated), CKV2_DOCKER_9 (--nogpgcheck), CKV2_DOCKER_10
      (rpm --nosignature/--nodigest/--noverify/--nofiledigest),
      CKV2_DOCKER_11 (apt-get --force-yes)
    """

    code = "CD1009"
    severity = Severity.WARNING
    message = "Packages are installed without checking their signatures"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            options: list[tuple[ShellScript, ShellWord]] = []
            settings: list[str] = []
            for script in ctx.shell(instr).scripts:
                for cmd in script.commands:
                    options.extend((script, word) for word in _unsigned_options(cmd))
                    settings.extend(m.group(0) for value in cmd.values for m in _UNSIGNED_SETTINGS.finditer(value))
            if not options and not settings:
                continue
            what = options[0][1].value if options else settings[0]
            fix = _fix(instr, options) if not settings else None
            yield self.finding(instr, f"{self.message}: `{what}`", fix)


def _unsigned_options(cmd: Command) -> list[ShellWord]:
    for names, options in _UNSIGNED_OPTIONS.items():
        if cmd.name in names:
            return [word for word in cmd.args if word.value in options]
    return []


def _fix(instr: Instruction, options: list[tuple[ShellScript, ShellWord]]) -> Fix | None:
    removals = (remove_word_edits(instr, script, word) for script, word in options)
    return removal_fix("Check package signatures", removals)
