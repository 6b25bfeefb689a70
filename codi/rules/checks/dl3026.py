"""DL3026: use only images from trusted registries."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import ImageRef, parse_image
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import copy_source, names_visible_stage

_HUB_NAMES = ("docker.io", "hub.docker.com")
_HUB_REGISTRIES = frozenset({*_HUB_NAMES, "index.docker.io", "registry-1.docker.io"})


class TrustedRegistries(Rule):
    """## What it does
    When `trusted_registries` is configured, checks that every image the
    build pulls comes from one of them: `FROM` images, `COPY --from=<image>`
    and `RUN --mount=type=bind|cache,from=<image>`. Earlier stages and
    `scratch` are always fine; images without a registry come from Docker
    Hub (`docker.io`). Entries may be `*`, `*.example.com` or `example.*`.
    With no trusted registries configured the rule does nothing.

    ## Why is this bad?
    An image from an unvetted registry is code your build and your
    production run without review; organisations pin the registries they
    mirror and scan.

    ## Example
    ```dockerfile
    # trusted_registries: [registry.example.com]
    FROM node:20
    ```

    ## Use instead
    ```dockerfile
    FROM registry.example.com/library/node:20
    ```

    ## Fix safety
    No fix: which mirror holds the image is not known.

    ## References
    - hadolint DL3026. `FROM ${IMAGE}` is judged on the ARG's default, and
      unlike hadolint a numeric `--from=<stage index>` is a stage, not an
      image on Docker Hub, `FROM <alias>:<tag>` is an image, not a stage,
      and an explicit `docker.io/…` is Docker Hub under either of its names.
    """

    code = "DL3026"
    severity = Severity.ERROR
    message = "Use only an allowed registry in the FROM image"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        trusted = ctx.config.trusted_registries
        if not trusted:
            return
        for stage in ctx.model.stages:
            if stage.parent is None and not _is_trusted(stage.image, trusted):
                yield self.finding(stage.from_instr)
        for instr in ctx.instructions("COPY"):
            source = copy_source(ctx, instr)
            if source is not None and not self._pulls_trusted(ctx, instr, source, trusted):
                yield self.finding(instr)
        for instr in ctx.instructions("RUN"):
            for mount in instr.mounts:
                if mount.type in ("bind", "cache") and not self._pulls_trusted(
                    ctx, instr, mount.options.get("from", "scratch"), trusted
                ):
                    yield self.finding(instr)
                    break

    @staticmethod
    def _pulls_trusted(ctx: LintContext, instr: Instruction, source: str, trusted: tuple[str, ...]) -> bool:
        return names_visible_stage(ctx, instr, source) or _is_trusted(parse_image(source), trusted)


def _is_trusted(image: ImageRef, trusted: tuple[str, ...]) -> bool:
    if image.registry is None and image.is_scratch:
        return True
    names: tuple[str, ...] = (image.registry,) if image.registry is not None else ()
    if image.registry is None or image.registry in _HUB_REGISTRIES:
        names += _HUB_NAMES
    return any(_matches(pattern, name) for pattern in trusted for name in names)


def _matches(pattern: str, registry: str) -> bool:
    if pattern == "*":
        return True
    if pattern.startswith("*"):
        return registry.endswith(pattern[1:])
    if pattern.endswith("*"):
        return registry.startswith(pattern[:-1])
    return registry == pattern
