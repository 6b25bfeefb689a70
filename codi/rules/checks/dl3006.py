"""DL3006: always tag the version of an image explicitly."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import pulls_named_image


class UntaggedImage(Rule):
    """## What it does
    Reports a `FROM` whose image has neither a tag nor a digest. `scratch` and
    references to an earlier stage are fine.

    `FROM ${BASE}` is judged on the default of the global `ARG BASE` (what a
    plain `docker build` uses); hadolint skips every image that starts with a
    variable. A reference that still holds an unresolved variable is skipped.

    ## Why is this bad?
    An untagged image means `latest`, which moves: the same Dockerfile builds a
    different image tomorrow, and a new major version can break the build or
    the application without any change in the repository.

    ## Example
    ```dockerfile
    FROM debian
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    ```

    ## Fix safety
    No fix: the version the image was tested with is not known.

    ## References
    - hadolint DL3006
    """

    code = "DL3006"
    severity = Severity.WARNING
    message = "Always tag the version of an image explicitly"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            if pulls_named_image(stage) and stage.image.tag is None and stage.image.digest is None:
                yield self.finding(stage.from_instr)
