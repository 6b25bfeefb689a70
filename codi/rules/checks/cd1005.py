"""CD1005: WORKDIR on a system directory."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import expand
from codi.rules.base import LintContext, Rule

# Directories of the operating system itself: a WORKDIR exactly there spreads
# `COPY . .` and relative writes over system files.
_SYSTEM_DIRS = frozenset(
    {
        "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
        "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/etc", "/var",
    }
)
# Kernel and boot trees: nothing of the application belongs anywhere below them.
_SYSTEM_TREES = ("/proc", "/sys", "/dev", "/boot", "/initrd", "/lost+found")


class SystemWorkdir(Rule):
    """## What it does
    Checks that `WORKDIR` is not a system directory: `/bin`, `/sbin`, `/lib*`,
    `/usr`, `/usr/bin`, `/usr/sbin`, `/usr/lib`, `/etc`, `/var`, or anything
    under `/proc`, `/sys`, `/dev`, `/boot`, `/initrd`, `/lost+found`.
    Variables are expanded with their defaults.

    ## Why is this bad?
    Everything relative lands there: `COPY . .` spreads the build context over
    system files, a relative `rm -rf` in a RUN deletes them, and a volume or
    bind mount on the working directory shadows the system. Under `/proc`,
    `/sys` or `/dev` the path is a kernel filesystem at run time.

    ## Example
    ```dockerfile
    WORKDIR /usr
    COPY . .
    ```

    ## Use instead
    ```dockerfile
    WORKDIR /app
    COPY . .
    ```

    ## Fix safety
    No fix: the application's paths would change.

    `WORKDIR /` is not reported: it is the default working directory of every
    image and commonly resets an inherited one. Subdirectories such as
    `/usr/src/app` or `/var/www` are application directories and pass.

    ## References
    - Trivy AVD-DS-0030
    """

    code = "CD1005"
    severity = Severity.WARNING
    message = "Do not use a system directory as `WORKDIR`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("WORKDIR", onbuild=True):
            path = expand(instr.args.strip().strip("\"'"), ctx.model.variables_at(instr))
            if path.startswith("/") and is_system_dir(path):
                yield self.finding(instr)


def is_system_dir(path: str) -> bool:
    normalized = "/" + posixpath.normpath(path).lstrip("/")
    if normalized in _SYSTEM_DIRS:
        return True
    return any(normalized == tree or normalized.startswith(tree + "/") for tree in _SYSTEM_TREES)
