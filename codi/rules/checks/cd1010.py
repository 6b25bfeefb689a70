"""CD1010: a password set (or removed) in a RUN."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command, RunShell
from codi.rules.base import LintContext, Rule


class PasswordInRun(Rule):
    """## What it does
    Checks for passwords set or removed during the build: `chpasswd`,
    `useradd`/`usermod -p|--password`, `passwd --stdin`, `passwd -d`, and a
    `passwd` fed through a pipe.

    ## Why is this bad?
    The password is in the Dockerfile and in the image history, identical in
    every container started from the image; a removed password (`passwd -d`)
    lets anyone log in. Containers need no login password: use `USER` and
    `docker exec`.

    ## Example
    ```dockerfile
    RUN echo 'root:hunter2' | chpasswd
    ```

    ## Use instead
    ```dockerfile
    RUN useradd --uid 10001 --no-create-home app
    USER 10001
    ```

    ## Fix safety
    No fix: whatever logs in with that password has to change.

    `passwd -l` (locking an account) is fine and not reported.

    ## References
    - Checkov CKV2_DOCKER_17
    """

    code = "CD1010"
    severity = Severity.WARNING
    message = "Do not set passwords in the image build"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            if any(_sets_password(cmd, shell) for cmd in shell.commands):
                yield self.finding(instr)


def _sets_password(cmd: Command, shell: RunShell) -> bool:
    if cmd.name == "chpasswd":
        return True
    if cmd.name in ("useradd", "usermod"):
        return cmd.has_any_flag("p", "password")
    if cmd.name == "passwd":
        return cmd.has_any_flag("stdin", "d", "delete") or shell.has_pipes
    return False
