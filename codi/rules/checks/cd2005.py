"""CD2005: fat base image where a slim (or JRE) variant of the same version exists."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import Stage
from codi.knowledge.arguments import argument_values
from codi.rules.base import LintContext, Rule
from codi.knowledge.images import SMALLER_VARIANTS, docker_hub_name, smaller_tag
from codi.knowledge.stacks import compile_step, program
from codi.knowledge.stages import image_stages, instructions_of

_JDK_TOOLS = frozenset(
    {"javac", "jar", "jlink", "jpackage", "jdeps", "jshell", "jcmd", "jmap", "jstack", "native-image"}
)


class FatBaseImage(Rule):
    """## What it does
    Checks the base image of the final image (the root of the final stage's
    `FROM` chain) against a table of official images that publish a smaller
    variant of the same version (`codi/knowledge/images.py`): `python:3.12` →
    `python:3.12-slim`, `node:20` → `node:20-slim`, `debian:bookworm` →
    `debian:bookworm-slim`, `ruby`, `perl`, and a JDK (`eclipse-temurin`,
    `openjdk` 8/11) → its JRE when the entry point runs `java` itself and no
    stage of the image compiles Java or runs a JDK tool (`javac`, `jar`,
    `jlink` …). Images started by a script (`catalina.sh`) or a REPL are
    often JDK variants on purpose, and are left alone.

    Builder stages are not checked: they often need the full image's
    compilers, and their size does not reach the final image. SDK images
    (`golang`, `rust`, `maven` …) are CD2002/CD2003's.

    ## Why is this bad?
    The default tags carry compilers, headers and hundreds of Debian
    packages (often 300+ MB compressed more than the slim tag) that a
    runtime image rarely uses: slower pulls and deploys, and many more CVEs
    to patch.

    ## Example
    ```dockerfile
    FROM python:3.12
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    ```

    ## Fix safety
    Unsafe: the slim/JRE variant lacks packages the build or the application
    may use (gcc for native wheels, `git`, `curl`, JDK tools); build and test
    the image after the change. Offered only when the tag is written out
    (not built from an `ARG`).

    Every later instruction of the stage, and of the stages built `FROM` it,
    runs on the smaller base: a tool a later RUN calls may be gone.

    ## References
    - https://hub.docker.com/_/python (Image Variants)
    """

    code = "CD2005"
    severity = Severity.INFO
    message = "A smaller variant of this base image exists"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stages = image_stages(ctx.model)
        if not stages:
            return
        root = stages[0]
        name = docker_hub_name(root.image)
        tag = smaller_tag(root.image)
        if name is None or tag is None:
            return
        variant = SMALLER_VARIANTS[name]
        if variant.kind == "jre" and (_needs_jdk(ctx, stages) or not _runs_java(stages)):
            return
        current = f"{name}:{root.image.tag or 'latest'}"
        message = (
            f"`{current}` has a {variant.kind} variant of the same version: `{name}:{tag}` "
            f"(about {variant.full_mb} → {variant.small_mb} MB compressed)"
        )
        yield self.finding(root.from_instr, message, _retag(root, tag))


def _runs_java(stages: list[Stage]) -> bool:
    """Whether the image's entry point starts `java` itself (a server script may want the JDK)."""
    entry = instructions_of(stages, "CMD", "ENTRYPOINT")
    for instr in reversed(entry):
        argv = argument_values(instr)
        if argv:
            return argv[0].rsplit("/", 1)[-1] == "java"
    return False


def _needs_jdk(ctx: LintContext, stages: list[Stage]) -> bool:
    return any(
        program(cmd) in _JDK_TOOLS or compile_step(cmd) == "java"
        for instr in instructions_of(stages, "RUN")
        for cmd in ctx.shell(instr).commands
    )


def _retag(stage: Stage, tag: str) -> Fix | None:
    """Replace the written tag (or append one) when the image is written literally."""
    instr = stage.from_instr
    if not instr.words:
        return None
    word = instr.words[0]
    if "$" in word.raw or word.raw != word.value or word.value != stage.image.raw:
        return None
    colon = word.value.rfind(":")
    if stage.image.tag is not None and colon > word.value.rfind("/"):
        span = instr.args_span(word.start + colon + 1, word.end)
        edit = Edit(span.start, span.end, tag)
    else:
        edit = Edit.insert(instr.args_span(word.start, word.end).end, f":{tag}")
    return Fix.unsafe(f"Use the {tag} tag", edit)
