"""DL3006: always tag the version of an image explicitly."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import SemanticModel, Stage, expand, parse_image
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import pulls_named_image

_BUILD_SUPPLIED = "\0"
"""Stands for a variable whose value only the build knows, while the reference is taken apart."""
_PLATFORM_ARGS = frozenset(
    f"{side}{part}" for side in ("BUILD", "TARGET") for part in ("PLATFORM", "OS", "ARCH", "VARIANT")
)
"""BuildKit's automatic platform ARGs: set in every FROM without being declared."""


class UntaggedImage(Rule):
    """## What it does
    Reports a `FROM` whose image has neither a tag nor a digest. `scratch` and
    references to an earlier stage are fine.

    Variables are followed as `docker build` does: a global `ARG` with a
    default stands for that default (`ARG BASE=debian` + `FROM ${BASE}` is
    untagged); a variable never declared is empty (`FROM alpine$TAG` with no
    `ARG TAG` pulls `alpine`); an `ARG` declared without a default (or a
    BuildKit platform ARG) may be given any value with `--build-arg`, so it may
    supply the tag only where a tag can stand, after the last `/`:
    `ARG REGISTRY` + `FROM ${REGISTRY}/ubuntu` is untagged, `ARG BASE` +
    `FROM $BASE` is not judged. hadolint skips every image that starts with a
    variable and flags every other one without a `:`, stage references through
    a variable (`FROM base-${TARGETARCH}`) included.

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
            if pulls_named_image(stage):
                untagged = stage.image.tag is None and stage.image.digest is None
            else:
                untagged = stage.parent is None and "$" in stage.image.raw and _untagged_at_build(ctx.model, stage)
            if untagged:
                yield self.finding(stage.from_instr)


def _untagged_at_build(model: SemanticModel, stage: Stage) -> bool:
    """Whether no value of the build's own variables can give the image of `stage` a tag or digest."""
    variables: dict[str, str] = {name: _BUILD_SUPPLIED for name in _PLATFORM_ARGS}
    # A default still holding a variable (`ARG FLAVOR=${TARGETARCH}`) is as open as that variable.
    for name, value in model.global_args.items():
        variables[name] = value if value is not None and "$" not in value else _BUILD_SUPPLIED
    image = expand(stage.image_as_written, variables, keep_unknown=False)
    if _BUILD_SUPPLIED in image.rpartition("/")[2]:
        return False
    written = image.replace(_BUILD_SUPPLIED, "")
    reference = parse_image(written)
    if not reference.repository or reference.tag is not None or reference.digest is not None:
        return False
    return not model.alias_defined_before(written, stage.index)
