"""DL4001: either wget or curl, not both."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule

_DOWNLOADERS = frozenset({"curl", "wget"})


class WgetAndCurl(Rule):
    """## What it does
    Reports each `RUN` that calls `curl` or `wget` once both have been used
    in the same stage. `ONBUILD RUN`s are counted apart from plain ones.

    hadolint never resets the `ONBUILD` count, so it mixes triggers of
    different stages; codi resets it at each `FROM`, like the plain count.

    ## Why is this bad?
    Two tools that do the same job mean two packages to install, patch and
    scan, and two sets of flags for readers to know.

    ## Example
    ```dockerfile
    FROM debian:12
    RUN wget -q https://example.com/a.tgz
    RUN curl -fsSLO https://example.com/b.tgz
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12
    RUN curl -fsSLO https://example.com/a.tgz
    RUN curl -fsSLO https://example.com/b.tgz
    ```

    ## Fix safety
    No fix: the flags of the two tools do not map one to one.

    ## References
    - hadolint DL4001
    """

    code = "DL4001"
    severity = Severity.WARNING
    message = "Either use Wget or Curl but not both"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        used: set[str] = set()
        used_onbuild: set[str] = set()
        for instr in ctx.instructions():
            if instr.keyword == "FROM":
                used.clear()
                used_onbuild.clear()
                continue
            run, seen = (instr, used) if instr.keyword == "RUN" else (instr.inner, used_onbuild)
            if run is None or run.keyword != "RUN":
                continue
            tools = _DOWNLOADERS.intersection(ctx.shell(run).command_names())
            seen.update(tools)
            if tools and len(seen) == 2:
                yield self.finding(run)
