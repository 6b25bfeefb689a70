"""CD1011: base image not pinned by digest."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import pulls_named_image


class UnpinnedBaseImage(Rule):
    """## What it does
    Checks that every base image is pinned by digest
    (`python:3.12-slim@sha256:…`). `scratch` and earlier stages are skipped;
    `FROM ${BASE}` is judged on the default of the global `ARG BASE`, and left
    alone when it has none.

    ## Why is this bad?
    A tag is a movable pointer: the publisher (or whoever takes over the
    account) can push different content under the same tag, and the next build
    silently uses it. A digest names exactly one image; Dependabot or Renovate
    keep it current.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim@sha256:<digest>
    ```

    ## Fix safety
    No fix: the digest has to be looked up in the registry.

    ## References
    - OpenSSF Scorecard Pinned-Dependencies (containerImage not pinned by hash)
    - No Trivy or Checkov equivalent (Checkov CKV_DOCKER_7 only rejects `latest`)
    """

    code = "CD1011"
    severity = Severity.INFO
    message = "Pin the base image by digest (`image:tag@sha256:…`)"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            if not pulls_named_image(stage) or stage.image.digest is not None:
                continue
            if ctx.model.is_stage_reference(stage.image.raw, before=stage):
                continue
            yield self.finding(stage.from_instr)
