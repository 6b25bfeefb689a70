"""DL3032: `yum clean all` missing after yum command."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.knowledge.package_state import YUM_CACHE
from codi.knowledge.rpm import cache_left
from codi.rules.base import LintContext, Rule
from codi.rules.fixes import cleanup_fix, last_command


class YumCleanAll(Rule):
    """## What it does
    Checks that a RUN installing packages with `yum install` cleans yum's
    cache (`yum clean all` or `rm -rf /var/cache/yum/*`) after the last install.

    ## Why is this bad?
    The downloaded packages and metadata stay in `/var/cache/yum` and end up
    in the layer, making the image larger for nothing.

    ## Example
    ```dockerfile
    RUN yum install -y httpd-2.4.6
    ```

    ## Use instead
    ```dockerfile
    RUN yum install -y httpd-2.4.6 && yum clean all
    ```

    ## Fix safety
    Safe: appends ` && yum clean all` right after the last `yum` command of the
    script (after its pipes, redirections and `||` fallback), which only
    removes caches. Offered on shell-form RUNs without heredocs. Also checked
    inside `ONBUILD`.

    Unsafe instead when a later step may need the cleaned cache: a
    cache-only run (`yum -C …`, `--cacheonly`) or a command naming
    `/var/cache/yum` (an `rpm -i` of packages downloaded there), in the rest of the
    RUN, the later RUNs of the stage (`ONBUILD` ones included), the stages
    built `FROM` it or a `COPY --from` of them. A later `yum install` fetches the metadata again and
    is unaffected.

    Unlike hadolint, which compares the first install with the first clean,
    codi requires a clean after the last install: it flags
    `yum install a && yum clean all && yum install b` and accepts
    `yum clean all && yum install a && yum clean all`.

    ## References
    - hadolint DL3032
    """

    code = "DL3032"
    severity = Severity.WARNING
    message = "`yum clean all` missing after yum command."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            if not cache_left(shell.commands, "yum", ("install",), ("clean", "all"), "/var/cache/yum/*"):
                continue
            last = last_command(instr, shell, lambda cmd: cmd.name == "yum")
            yield self.finding(instr, fix=cleanup_fix(ctx, instr, [(last, "yum clean all", YUM_CACHE)], "Add yum clean all"))
