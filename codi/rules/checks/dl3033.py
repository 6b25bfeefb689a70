"""DL3033: pin versions in `yum install`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.rpm import YUM_COMMANDS, unpinned_install


class YumVersionPinning(Rule):
    """## What it does
    Checks that packages installed with `yum install` name a version
    (`httpd-2.4.6`) and that `yum module install` names a stream (`nodejs:18`).

    ## Why is this bad?
    Without a version the build installs whatever the repository holds that
    day, so two builds of the same Dockerfile can differ and break silently.

    ## Example
    ```dockerfile
    RUN yum install -y httpd && yum clean all
    ```

    ## Use instead
    ```dockerfile
    RUN yum install -y httpd-2.4.6 && yum clean all
    ```

    ## Fix safety
    No fix: the version to pin is not known.

    A package written with a variable (`git-core-${VERSION}`) counts as
    pinned when that variable is an ARG or ENV in scope at the RUN. hadolint
    also accepts an ARG declared in another stage, which expands to nothing
    here; codi flags it. Also checked inside `ONBUILD`.

    ## References
    - hadolint DL3033
    """

    code = "DL3033"
    severity = Severity.WARNING
    message = "Specify version with `yum install -y <package>-<version>`."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            variables = ctx.model.variables_at(instr)
            if any(unpinned_install(cmd, YUM_COMMANDS, variables) for cmd in ctx.shell(instr).commands):
                yield self.finding(instr)
