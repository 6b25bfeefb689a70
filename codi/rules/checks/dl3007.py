"""DL3007: do not use the `latest` tag."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule


class LatestTag(Rule):
    """## What it does
    Reports a `FROM` whose image is tagged `latest` without a digest.

    `FROM image:${TAG}` is judged on the default of the global `ARG TAG`
    (what a plain `docker build` uses); hadolint does not resolve it.

    ## Why is this bad?
    `latest` is whatever was pushed last: the same Dockerfile builds a
    different image tomorrow, and a new major version can break the build or
    the application without any change in the repository.

    ## Example
    ```dockerfile
    FROM debian:latest
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12.5
    ```

    ## Fix safety
    No fix: the version the image was tested with is not known.

    ## References
    - hadolint DL3007
    """

    code = "DL3007"
    severity = Severity.WARNING
    message = (
        "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            if stage.image.tag == "latest" and stage.image.digest is None:
                yield self.finding(stage.from_instr)
