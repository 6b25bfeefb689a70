"""DL3066: a non-numeric USER may not resolve on the host."""

from __future__ import annotations

import re
from collections.abc import Iterator

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import expand, key_values
from codi.rules.base import LintContext, Rule

_ROOT = re.compile(r"root(?::root)?")


class NumericUser(Rule):
    """## What it does
    Checks that `USER` names its user by numeric id (`USER 10001` or
    `USER 10001:10001`). A user given through a declared `ARG` passes.

    ## Why is this bad?
    A user name is resolved through the image's `/etc/passwd`; the host,
    Kubernetes' `runAsNonRoot` and volume permissions only see the numeric id,
    which for a name nobody can check without running the image.

    ## Example
    ```dockerfile
    USER app
    ```

    ## Use instead
    ```dockerfile
    USER 10001
    ```

    ## Fix safety
    Safe for `root` (and `root:root`), which is uid and gid 0 on every Linux
    image: it becomes `0` (`0:0`). Other names have no known id, so no fix.

    A variable reference passes when it names an `ARG` declared earlier, as in
    hadolint, and also when it expands to a number (an `ENV UID=1000`), which
    hadolint reports.

    Later instructions run as the same account: uid 0 is `root`, with the
    same home directory and file ownership.

    ## References
    - hadolint DL3066
    """

    code = "DL3066"
    severity = Severity.INFO
    message = "Non-numeric user-id may not be resolvable by host system"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        declared: set[str] = set()
        for instr in ctx.instructions("ARG", "USER"):
            if instr.keyword == "ARG":
                declared.update(pair.key for pair in key_values(instr))
                continue
            user = instr.args.strip()
            uid = user.split(":", 1)[0]
            if uid.isdigit() or not uid or _names_arg(uid, declared):
                continue
            if expand(uid, ctx.model.variables_at(instr)).isdigit():
                continue
            yield self.finding(instr, fix=_root_fix(instr, user))


def _names_arg(uid: str, declared: set[str]) -> bool:
    return any(f"${{{name}}}" in uid or f"${name}" in uid for name in declared)


def _root_fix(instr: Instruction, user: str) -> Fix | None:
    if not _ROOT.fullmatch(user):
        return None
    start = instr.args.index(user)
    span = instr.args_span(start, start + len(user))
    return Fix.safe("Use the numeric id of root", Edit(span.start, span.end, "0:0" if ":" in user else "0"))
