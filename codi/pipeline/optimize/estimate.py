"""A dry-run estimate of an image's size and layers, from the Dockerfile alone.

Nothing is built or pulled: the size is the base image's approximate size
(`codi/knowledge/images.py`'s tables) plus typical sizes of what the image's RUN
steps install (OS packages, language dependencies, build output) and of the
caches they leave behind, plus the artefacts copied from build stages.
Build-context files are not counted: the preservation check keeps them the
same in every candidate. Layers are the RUN/COPY/ADD instructions of the
stages that make up the image (the base image's own layers not counted).

Every figure is labelled "estimate" and says how it was reached (`basis`);
measured figures come from building the images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codi.pipeline.model import Document, Instruction
from codi.pipeline.optimize.model import Estimate
from codi.pipeline.semantic import ImageRef, Stage
from codi.pipeline.shell import Command
from codi.knowledge.apt import removes_apt_lists, updates_package_lists
from codi.rules.base import LintContext, has_cache_mount
from codi.knowledge.images import (
    ALPINE_VARIANT_MB,
    BASE_IMAGE_MB,
    SMALLER_VARIANTS,
    TOOLCHAIN_IMAGES,
    docker_hub_name,
)
from codi.knowledge.packages import INSTALL_VERB, manager_of, operands_after, verb_of
from codi.knowledge.stacks import (
    DependencyTool,
    compile_step,
    dependency_step,
    is_build_helper_package,
    is_toolchain_package,
    program,
)
from codi.knowledge.stages import image_stages

MB = 1_000_000

OS_PACKAGE_MB = {"toolchain": 80, "helper": 10, "other": 8}
"""Typical installed size of one apt/dnf package: a compiler or SDK, a build helper, anything else."""
APK_PACKAGE_MB = {"toolchain": 40, "helper": 3, "other": 3}
"""Alpine's packages are smaller."""
OS_CACHE_MB = {"apt": 20, "dnf": 60, "apk": 2}
"""Package lists/caches left in the layer when the RUN does not remove them."""
DEPENDENCY_MB: dict[str, tuple[int, int]] = {
    "pip": (60, 30), "pipenv": (60, 30), "poetry": (60, 30), "uv": (60, 30), "pdm": (60, 30),
    "npm": (120, 40), "yarn": (120, 40), "pnpm": (100, 30), "bun": (100, 30),
    "go": (150, 100), "maven": (150, 0), "gradle": (200, 0), "bundler": (60, 10), "composer": (40, 20),
    "cargo": (400, 0), "dotnet": (150, 0),
}  # fmt: skip
"""(installed, cache left) MB of a dependency install per tool: site-packages/node_modules/module caches."""
NAMED_PACKAGE_MB = 15
"""One `pip install x` / `npm install -g x` package."""
BUILD_OUTPUT_MB = 50
"""Object files and build output a compile step leaves in its stage."""
BINARY_MB = 15
"""A compiled program copied out of a build stage."""
IMAGE_COPY_MB = 10
"""Files copied from another image (`COPY --from=nginx:…`)."""

_NO_CACHE_FLAGS = {"pip": ("no-cache-dir",), "apk": ("no-cache",)}
_DISTROLESS_SUFFIX = re.compile(r"-debian\d+$")


@dataclass(frozen=True)
class ImageEstimate:
    """The estimated size (None when the base image is unknown) and layers of one Dockerfile's image."""

    size_mb: int | None
    layers: int
    basis: tuple[str, ...]


def base_image_mb(image: ImageRef) -> int | None:
    """Approximate size of a base image from codi's tables, or None when it is not known."""
    if image.is_scratch:
        return 0
    if "$" in image.raw:
        return None
    name = docker_hub_name(image) or ""
    tag = (image.tag or "latest").lower()
    if "alpine" in tag and name in ALPINE_VARIANT_MB:
        return ALPINE_VARIANT_MB[name]
    if name in SMALLER_VARIANTS:
        variant = SMALLER_VARIANTS[name]
        return variant.small_mb if ("slim" in tag or "jre" in tag) else variant.full_mb
    if name in TOOLCHAIN_IMAGES:
        return TOOLCHAIN_IMAGES[name].size_mb
    return BASE_IMAGE_MB.get(_DISTROLESS_SUFFIX.sub("", name))


def image_estimate(document: Document) -> ImageEstimate:
    """Size and layers of the image a Dockerfile builds (its last stage and the stages it is built FROM)."""
    ctx = LintContext(document)
    stages = image_stages(ctx.model)
    if not stages:
        return ImageEstimate(None, 0, ("no FROM: no image",))
    base = base_image_mb(stages[0].image)
    basis = [f"base {stages[0].image.raw} " + (f"≈ {base} MB" if base is not None else "not in codi's size table")]
    added = 0
    for stage in stages:
        for instr in stage.instructions:
            if instr.keyword == "RUN":
                for what, mb in _run_additions(ctx, instr):
                    added += mb
                    basis.append(f"{what} ≈ {mb} MB")
    for what, mb in _copied_artefacts(ctx, stages):
        added += mb
        basis.append(f"{what} ≈ {mb} MB")
    layers = sum(1 for stage in stages for instr in stage.instructions if instr.keyword in ("RUN", "COPY", "ADD"))
    return ImageEstimate(None if base is None else base + added, layers, tuple(basis))


def estimate_change(original: Document, candidate: Document) -> Estimate:
    """The candidate's estimate against the original's, with both bases spelled out."""
    before, after = image_estimate(original), image_estimate(candidate)
    basis = (
        f"before: {'; '.join(before.basis)}. after: {'; '.join(after.basis)}. "
        "Build-context files not counted (the same in both); layers are the RUN/COPY/ADD "
        "instructions of the image's stages."
    )
    return Estimate(
        size_bytes_before=None if before.size_mb is None else before.size_mb * MB,
        size_bytes_after=None if after.size_mb is None else after.size_mb * MB,
        layers_before=before.layers,
        layers_after=after.layers,
        basis=basis,
    )


def _run_additions(ctx: LintContext, instr: Instruction) -> list[tuple[str, int]]:
    """What one RUN adds to its layer, as (what, MB) pairs."""
    commands = ctx.shell(instr).commands
    out: list[tuple[str, int]] = []
    for cmd in commands:
        out.extend(_os_packages(cmd, instr, commands))
        tool = dependency_step(cmd)
        if tool is not None:
            out.extend(_dependencies(tool, cmd, instr, commands))
        elif cmd.is_pip_install() or (program(cmd) in ("npm", "yarn", "pnpm") and cmd.has_any_flag("g", "global")):
            named = [word for word in cmd.args_no_flags() if word not in ("install", "add", "-m", "pip", "global")]
            if named:
                out.append((f"{cmd.name} install of {len(named)} named package(s)", NAMED_PACKAGE_MB * len(named)))
        if compile_step(cmd) is not None and (tool is None or not tool.compiles):
            out.append((f"build output of `{cmd.name}`", BUILD_OUTPUT_MB))
    return out


def _os_packages(cmd: Command, instr: Instruction, commands: tuple[Command, ...]) -> list[tuple[str, int]]:
    manager = manager_of(cmd)
    name = program(cmd)
    verb = INSTALL_VERB.get(name)
    if manager is None or verb is None or verb_of(cmd, manager) != verb:
        return []
    packages = operands_after(cmd, verb)
    sizes = APK_PACKAGE_MB if name == "apk" else OS_PACKAGE_MB
    kinds = [
        "toolchain" if is_toolchain_package(p) else "helper" if is_build_helper_package(p) else "other"
        for p in packages
    ]
    out = [(f"{name} {verb} of {len(packages)} package(s)", sum(sizes[kind] for kind in kinds))] if packages else []
    family = "apk" if name == "apk" else "apt" if name in ("apt-get", "apt") else "dnf"
    if _leaves_os_cache(family, cmd, instr, commands):
        out.append((f"{family} package cache left in the layer", OS_CACHE_MB[family]))
    return out


def _leaves_os_cache(family: str, cmd: Command, instr: Instruction, commands: tuple[Command, ...]) -> bool:
    if family == "apk":
        return not cmd.has_flag("no-cache") and not has_cache_mount(instr, "/var/cache/apk")
    if family == "apt":
        updated = any(updates_package_lists(other) for other in commands)
        return updated and not any(removes_apt_lists(other) for other in commands) and not (
            has_cache_mount(instr, "/var/lib/apt")
        )
    cleaned = any(program(other) in ("yum", "dnf", "microdnf") and other.has_args("clean") for other in commands)
    return not cleaned and not has_cache_mount(instr, "/var/cache/")


def _dependencies(
    tool: DependencyTool, cmd: Command, instr: Instruction, commands: tuple[Command, ...]
) -> list[tuple[str, int]]:
    installed, cache = DEPENDENCY_MB[tool.name]
    out = [(f"{tool.name} dependencies", installed)]
    mounted = any(has_cache_mount(instr, fragment) for fragment in tool.cache_dirs)
    no_cache = cmd.has_any_flag(*_NO_CACHE_FLAGS.get(tool.name, ()))
    cleaned = any(program(other) == program(cmd) and other.has_args("cache") for other in commands if other is not cmd)
    if cache and not (mounted or no_cache or cleaned):
        out.append((f"{tool.name} download cache left in the layer", cache))
    return out


def _copied_artefacts(ctx: LintContext, stages: list[Stage]) -> list[tuple[str, int]]:
    """Artefacts `COPY --from` brings into the image: a stage's runtime dependencies and compiled programs
    (each stage counted once), or files of another image."""
    image_ids = {id(stage) for stage in stages}
    counted: set[int] = set()
    out: list[tuple[str, int]] = []
    for stage in stages:
        for instr in stage.instructions:
            name = instr.flag_values("from")
            if instr.keyword != "COPY" or not name:
                continue
            source = next((s for s in ctx.model.stages if s.name.lower() == name[0].lower()), None)
            if source is None:
                out.append((f"files copied from image {name[0]}", IMAGE_COPY_MB))
            elif id(source) not in image_ids and id(source) not in counted:
                counted.add(id(source))
                out.append((f"artefacts of stage {source.name}", _stage_artefacts_mb(ctx, source)))
    return out


def _stage_artefacts_mb(ctx: LintContext, stage: Stage) -> int:
    """Runtime dependencies installed in a build stage, plus a program when it compiles one (at least one
    program's worth)."""
    total = 0
    compiles = False
    for instr in stage.instructions:
        if instr.keyword != "RUN":
            continue
        for cmd in ctx.shell(instr).commands:
            tool = dependency_step(cmd)
            if tool is not None and not tool.compiles and tool.name != "go":
                total += DEPENDENCY_MB[tool.name][0]
            compiles = compiles or compile_step(cmd) is not None or (tool is not None and tool.compiles)
    return max(total + (BINARY_MB if compiles else 0), BINARY_MB)
