"""DL3046: useradd with a high UID and without `-l`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import expand
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule


class UseraddHighUid(Rule):
    """## What it does
    Checks for `useradd -u <uid>` with a UID of more than five digits and
    without `-l` (`--no-log-init`).

    ## Why is this bad?
    useradd reserves an entry for the UID in the sparse files
    `/var/log/lastlog` and `/var/log/faillog`; copied into a layer they take
    their full apparent size, gigabytes for a large UID.

    ## Example
    ```dockerfile
    RUN useradd -u 123456 app
    ```

    ## Use instead
    ```dockerfile
    RUN useradd -l -u 123456 app
    ```

    ## Fix safety
    No fix. Also checked inside `ONBUILD`.

    A UID given as a variable is judged on its ARG/ENV value in scope (the
    ARG default); hadolint judges the variable's name, so `-u $UID` with
    `ARG UID=1000` is flagged there and not here.

    ## References
    - hadolint DL3046
    """

    code = "DL3046"
    severity = Severity.WARNING
    message = "`useradd` without flag `-l` and high UID will result in excessively large Image."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            variables = ctx.model.variables_at(instr)
            if any(_forgot_no_log_init(cmd, variables) for cmd in ctx.shell(instr).commands):
                yield self.finding(instr)


def _forgot_no_log_init(cmd: Command, variables: Mapping[str, str | None]) -> bool:
    return (
        cmd.name == "useradd"
        and not cmd.has_any_flag("l", "no-log-init")
        and cmd.has_any_flag("u", "uid")
        and any(_is_high(expand(uid, variables)) for uid in cmd.flag_args("u"))
    )


def _is_high(uid: str) -> bool:
    """More than five digits; a UID still holding an unknown variable is not judged."""
    return "$" not in uid and len(uid) > 5
