"""CD2001: whole build context copied before the dependency install step."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.knowledge.stacks import command_summary, dependency_step, requirement_files
from codi.knowledge.stages import copies_whole_context


class DependenciesAfterSources(Rule):
    """## What it does
    Checks for a `COPY`/`ADD` of the whole build context (`COPY . .`) that
    comes before the stage's first dependency install step (`pip install -r`,
    `npm ci`, `yarn`, `go mod download`, `mvn`, `gradle`, `bundle install`,
    `composer install`, `cargo build`, `dotnet restore` …).

    A tool whose install step is the build itself (Maven, Gradle, Cargo,
    `dotnet publish`) is not reported when its `RUN` has a cache mount on the
    tool's download cache: the downloads already survive a source edit. A
    stage that already installed that tool's dependencies before the copy is
    not reported either.

    ## Why is this bad?
    Docker reuses a layer only while everything it depends on is unchanged.
    After `COPY . .` any source edit invalidates the cache, so every rebuild
    downloads and installs all dependencies again, although the manifests did
    not change.

    ## Example
    ```dockerfile
    FROM node:20-slim
    WORKDIR /app
    COPY . .
    RUN npm ci
    ```

    ## Use instead
    ```dockerfile
    FROM node:20-slim
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .
    ```

    ## Fix safety
    No fix: which files the install really needs (lock files, workspace
    manifests, local path dependencies) is known only to the project.

    ## References
    - https://docs.docker.com/build/cache/optimize/#order-your-layers
    """

    code = "CD2001"
    severity = Severity.WARNING
    message = "Copy the dependency manifests and install dependencies before copying the whole build context"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for stage in ctx.model.stages:
            first_copy: Instruction | None = None
            installed_before: set[str] = set()
            reported: dict[str, list[str]] = {}
            commands: list[str] = []
            for instr in stage.instructions:
                if first_copy is None and copies_whole_context(instr):
                    first_copy = instr
                if instr.keyword != "RUN":
                    continue
                for cmd in ctx.shell(instr).commands:
                    tool = dependency_step(cmd)
                    if tool is None:
                        continue
                    if first_copy is None:
                        installed_before.add(tool.name)
                    elif tool.name not in installed_before and tool.name not in reported:
                        cached = any(has_cache_mount(instr, cache, types=("cache",)) for cache in tool.cache_dirs)
                        if tool.compiles and cached:
                            continue
                        files = requirement_files(cmd) if tool.name == "pip" else []
                        reported[tool.name] = files or list(tool.manifests)
                        commands.append(f"`{command_summary(cmd)}` (line {instr.line})")
            if first_copy is not None and reported:
                manifests = [name for files in reported.values() for name in files]
                message = (
                    f"Whole build context copied before {', '.join(commands)}: copy "
                    f"{_listing(manifests)} first, install dependencies, then copy the rest"
                )
                yield self.finding(first_copy, message)


def _listing(names: list[str]) -> str:
    quoted = [f"`{name}`" for name in dict.fromkeys(names)]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
