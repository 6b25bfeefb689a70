"""DL3041: pin versions in `dnf install`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.rpm import DNF_COMMANDS, unpinned_install


class DnfVersionPinning(Rule):
    """## What it does
    Checks that packages installed with `dnf install` or `microdnf install`
    name a version (`httpd-2.4.6`) and that `dnf module install` names a
    stream (`nodejs:18`). `dnf group install` is not checked.

    ## Why is this bad?
    Without a version the build installs whatever the repository holds that
    day, so two builds of the same Dockerfile can differ and break silently.

    ## Example
    ```dockerfile
    RUN dnf install -y httpd && dnf clean all
    ```

    ## Use instead
    ```dockerfile
    RUN dnf install -y httpd-2.4.6 && dnf clean all
    ```

    ## Fix safety
    No fix: the version to pin is not known.

    A package written with a variable (`git-core-${VERSION}`) counts as
    pinned when that variable is an ARG or ENV in scope at the RUN. hadolint
    also accepts an ARG declared in another stage, which expands to nothing
    here; codi flags it. Also checked inside `ONBUILD`.

    ## References
    - hadolint DL3041
    """

    code = "DL3041"
    severity = Severity.WARNING
    message = "Specify version with `dnf install -y <package>-<version>`."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            variables = ctx.model.variables_at(instr)
            commands = ctx.shell(instr).commands
            if any(unpinned_install(cmd, DNF_COMMANDS, variables, unchecked=("group",)) for cmd in commands):
                yield self.finding(instr)
