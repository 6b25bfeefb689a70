"""CD2002: build toolchain left in the final image."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import Stage, expand
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule
from codi.knowledge.images import toolchain_image
from codi.knowledge.packages import INSTALL_VERB, REMOVE_VERBS, removes_packages
from codi.knowledge.stacks import (
    compile_step,
    dependency_step,
    is_build_helper_package,
    is_toolchain_package,
    program,
)
from codi.knowledge.stages import (
    entry_point_text,
    image_stages,
    instructions_of,
    runs_application,
    single_stage_compiles,
)

_VALUE_FLAGS = ("o", "t", "virtual", "X", "repository", "target-release", "setopt", "enablerepo", "disablerepo")
_DEV_ONLY_ENTRY = ("dev", "watch", "nodemon", "test", "storybook")


@dataclass
class Install:
    """OS packages installed by one RUN and still present at the end of the image."""

    instr: Instruction
    packages: list[str] = field(default_factory=list)


def remaining_installs(ctx: LintContext, stages: list[Stage]) -> list[Install]:
    """OS packages installed in `stages` that no later purge/`apk del` removes.

    `apk add --virtual NAME …` followed by `apk del NAME`, and the
    docker-library idiom `apt-mark auto '.*'` + `--auto-remove`, remove the
    whole group.
    """
    installs: list[Install] = []
    groups: dict[str, list[str]] = {}
    for instr in instructions_of(stages, "RUN"):
        variables = ctx.model.variables_at(instr)
        commands = ctx.shell(instr).commands
        current = Install(instr)
        for cmd in commands:
            manager = program(cmd)
            if manager in INSTALL_VERB and cmd.has_args(INSTALL_VERB[manager]):
                names = _package_words(cmd, INSTALL_VERB[manager], variables)
                current.packages.extend(names)
                for group in cmd.flag_args("virtual") + cmd.flag_args("t"):
                    groups[group] = names if manager == "apk" else []
            elif removes_packages(cmd):
                removed = set(_package_words(cmd, "", variables))
                for group in list(removed):
                    removed.update(groups.get(group, ()))
                for install in [*installs, current]:
                    install.packages = [name for name in install.packages if name not in removed]
        if _auto_removes_all(commands):
            current.packages = []
        installs.append(current)
    return [install for install in installs if install.packages]


def _package_words(cmd: Command, verb: str, variables: Mapping[str, str | None]) -> list[str]:
    words = [word for word in cmd.without_flag_values(_VALUE_FLAGS) if not word.startswith("-")]
    out: list[str] = []
    for word in words:
        if word in REMOVE_VERBS.get(program(cmd), ()) or word == verb:
            continue
        out.extend(expand(word, variables).split())
    return out


def _auto_removes_all(commands: tuple[Command, ...]) -> bool:
    marks_auto = any(program(cmd) == "apt-mark" and cmd.has_args("auto") for cmd in commands)
    auto_removes = any(
        program(cmd) in ("apt-get", "apt") and (cmd.has_args("autoremove") or cmd.has_flag("auto-remove"))
        for cmd in commands
    )
    return marks_auto and auto_removes


class ToolchainInFinalImage(Rule):
    """## What it does
    Checks the image a build produces for build-only tools: compilers,
    `make`, `build-essential`/`build-base`, `-dev`/`-devel` header packages,
    SDK images (`golang`, `rust`, `maven`, `gradle`, `dotnet/sdk`), and
    Node.js devDependencies (`npm ci` without `--omit=dev`).

    It looks at the final stage of a multi-stage build (and the stages it is
    built `FROM`), or at a single-stage build that compiles (CD2003's
    condition). Packages removed later (`apt-get purge`, `apk del` of a
    `--virtual` group, the `apt-mark auto` + `--auto-remove` idiom) do not
    count. Images without an application entry point (no CMD/ENTRYPOINT, or
    a bare shell) are dev or base images that are meant to carry tools, and
    are not checked. A JDK base is CD2005's (JDK → JRE), not reported here.
    devDependencies are reported only when the final stage runs no npm
    script or `npx` after the install, `NODE_ENV` is not `production`, and
    the entry point is not a dev server.

    ## Why is this bad?
    Compilers and headers make the image hundreds of MB larger, slow every
    pull and deploy, and give an attacker a ready toolchain; every package is
    also one more CVE to patch. The running application needs none of them.

    ## Example
    ```dockerfile
    FROM golang:1.22 AS build
    RUN go build -o /app .
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y gcc libpq-dev
    COPY --from=build /app /app
    CMD ["/app"]
    ```

    ## Use instead
    ```dockerfile
    FROM debian:bookworm-slim
    RUN apt-get update && apt-get install -y libpq5
    COPY --from=build /app /app
    CMD ["/app"]
    ```

    ## Fix safety
    No fix: which runtime libraries replace the `-dev` packages, and whether
    the application shells out to a compiler, is known only to the project.

    ## References
    - https://docs.docker.com/build/building/multi-stage/
    """

    code = "CD2002"
    severity = Severity.WARNING
    message = "Build toolchain left in the final image"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stages = image_stages(ctx.model)
        if not stages or not runs_application(stages):
            return
        multi_stage = len(ctx.model.stages) > 1
        if not multi_stage and not single_stage_compiles(ctx):
            return
        root = stages[0]
        image = toolchain_image(root.image)
        if multi_stage and image is not None and _compiles(ctx, stages):
            yield self.finding(
                root.from_instr,
                f"The final image is built on the {image.name} SDK image (about {image.size_mb} MB): "
                "copy the build output into a runtime base instead",
            )
        for install in remaining_installs(ctx, stages):
            packages = list(dict.fromkeys(install.packages))
            if any(is_toolchain_package(name) for name in packages):
                tools = [name for name in packages if is_toolchain_package(name) or is_build_helper_package(name)]
                yield self.finding(
                    install.instr,
                    f"Build toolchain left in the final image: {', '.join(tools)}; "
                    "install it in a build stage, or remove it in the same RUN",
                )
        if multi_stage:
            yield from self._dev_dependencies(ctx, stages)

    def _dev_dependencies(self, ctx: LintContext, stages: list[Stage]) -> Iterator[Finding]:
        final = stages[-1]
        entry = entry_point_text(stages)
        if any(word in entry for word in _DEV_ONLY_ENTRY):
            return
        installs: list[Instruction] = []
        for instr in final.instructions:
            if instr.keyword != "RUN":
                continue
            for cmd in ctx.shell(instr).commands:
                if _runs_node_script(cmd) or (program(cmd) == "npm" and cmd.has_args("prune")):
                    return
                tool = dependency_step(cmd)
                if tool is not None and tool.name in ("npm", "yarn") and _installs_dev(ctx, instr, cmd):
                    installs.append(instr)
        for instr in dict.fromkeys(installs):
            yield self.finding(
                instr,
                "devDependencies installed in the final image: use `npm ci --omit=dev` "
                "(`yarn install --production`) or set NODE_ENV=production",
            )


def _compiles(ctx: LintContext, stages: list[Stage]) -> bool:
    return any(
        compile_step(cmd) is not None for instr in instructions_of(stages, "RUN") for cmd in ctx.shell(instr).commands
    )


def _runs_node_script(cmd: Command) -> bool:
    name = program(cmd)
    if name == "npx":
        return True
    values = cmd.args_no_flags()
    if name in ("npm", "pnpm") and values[:1] in (["run"], ["run-script"], ["test"], ["exec"]):
        return True
    return name == "yarn" and bool(values) and values[0] not in ("install", "cache", "config", "global")


def _installs_dev(ctx: LintContext, instr: Instruction, cmd: Command) -> bool:
    if cmd.has_any_flag("production", "prod") or any(
        value in ("--omit=dev", "--only=prod", "--only=production") for value in cmd.values
    ):
        return False
    if "dev" in cmd.flag_args("omit") or "NODE_ENV=production" in instr.args:
        return False
    return ctx.model.variables_at(instr).get("NODE_ENV") != "production"
