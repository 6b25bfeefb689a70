"""DL3057: a stage has no HEALTHCHECK."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import unsatisfied_stages


class MissingHealthcheck(Rule):
    """## What it does
    Reports each stage that has no `HEALTHCHECK` (`HEALTHCHECK NONE`
    counts), neither its own nor inherited from the stage it is built on, and
    that is not the base of a later stage that declares one. Off by default,
    as in hadolint.

    hadolint decides this on the order of the stages and on image names, so
    `FROM debian` after a stage `FROM debian` with a HEALTHCHECK passes, and
    a stage built on a base that only a sibling gave a HEALTHCHECK passes.
    codi follows the real stage graph (aliases resolved, case-insensitive).

    ## Why is this bad?
    Without a healthcheck the runtime only knows whether the process is
    alive, not whether it serves; orchestrators keep routing to a hung
    container.

    ## Example
    ```dockerfile
    FROM nginx:1.27
    COPY site /usr/share/nginx/html
    ```

    ## Use instead
    ```dockerfile
    FROM nginx:1.27
    COPY site /usr/share/nginx/html
    HEALTHCHECK CMD curl -fs http://localhost/ || exit 1
    ```

    ## Fix safety
    No fix: the right probe depends on the service.

    ## References
    - hadolint DL3057
    - https://docs.docker.com/reference/dockerfile/#healthcheck
    """

    code = "DL3057"
    severity = Severity.IGNORE
    message = "`HEALTHCHECK` instruction missing."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stages = ctx.model.stages
        declares = {id(stage) for stage in stages if any(i.keyword == "HEALTHCHECK" for i in stage.instructions)}
        for stage in unsatisfied_stages(stages, lambda s: id(s) in declares):
            yield self.finding(stage.from_instr)
