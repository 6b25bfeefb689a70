"""DL3011: valid UNIX ports range from 0 to 65535."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import expand
from codi.rules.base import LintContext, Rule

_MAX_PORT = 65535


class InvalidPort(Rule):
    """## What it does
    Reports an `EXPOSE` with a port (or an end of a port range) above 65535.
    Variables are expanded with the ARG/ENV values in scope; a port that stays
    a variable is not judged.

    ## Why is this bad?
    Ports are 16-bit numbers; the build rejects such an `EXPOSE`, or the
    number is a typo for another port.

    ## Example
    ```dockerfile
    EXPOSE 80000
    ```

    ## Use instead
    ```dockerfile
    EXPOSE 8000
    ```

    ## Fix safety
    No fix: the intended port is not known.

    ## References
    - hadolint DL3011
    """

    code = "DL3011"
    severity = Severity.ERROR
    message = "Valid UNIX ports range from 0 to 65535"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("EXPOSE"):
            variables = ctx.model.variables_at(instr)
            for word in instr.words:
                spec = expand(word.value, variables).split("/", 1)[0]
                if any(part.isdigit() and int(part) > _MAX_PORT for part in spec.split("-")):
                    yield self.finding(instr)
                    break
