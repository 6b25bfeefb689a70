"""DL4005: use SHELL, not `ln -s … /bin/sh`, to change the default shell."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule


class LinkBinSh(Rule):
    """## What it does
    Reports a `RUN` (also inside `ONBUILD`) where `ln` gets `/bin/sh` as an
    argument, i.e. replaces the system shell with a link.

    ## Why is this bad?
    Relinking `/bin/sh` changes the shell of every program in the image, at
    build and at run time, including system scripts written for the
    original one. `SHELL` changes only what the Dockerfile's own `RUN`,
    `CMD` and `ENTRYPOINT` use.

    ## Example
    ```dockerfile
    RUN ln -sfv /bin/bash /bin/sh
    ```

    ## Use instead
    ```dockerfile
    SHELL ["/bin/bash", "-c"]
    ```

    ## Fix safety
    No fix: a later program may rely on the link.

    ## References
    - hadolint DL4005
    """

    code = "DL4005"
    severity = Severity.WARNING
    message = "Use SHELL to change the default shell"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if any(cmd.name == "ln" and cmd.has_args("/bin/sh") for cmd in ctx.shell(instr).commands):
                yield self.finding(instr)
