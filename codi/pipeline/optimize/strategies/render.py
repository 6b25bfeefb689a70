"""Render the multi-stage and minimal candidates of a single-stage Dockerfile.

The original is read into `Original` (its base, WORKDIR, ENV/ARG, LABEL,
EXPOSE, VOLUME, start command, dependency manifests, and each RUN sorted
into OS packages, dependency install, build, or other). The catalog picks the
template, the modules and the runtime image; the template gets these facts as
variables, the modules are injected at their markers, codi's safe fixes are
applied, and the result must lint with no warning or error, or it is a
`Rejection`. Strategies the stack does not allow come back as rejections
whose reason starts with `skipped:`. Each candidate carries its dry-run
estimate against the original.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from codi.modules import ModuleError, environment, inject
from codi.pipeline.config import LintConfig
from codi.pipeline.optimize.estimate import estimate_change
from codi.pipeline.findings import Severity
from codi.pipeline.lint import fix_text, lint_text
from codi.pipeline.model import Document, Instruction
from codi.pipeline.parser import parse
from codi.pipeline.optimize.model import Candidate, Change, Rejection, StackReport, StartCommand, Strategy
from codi.pipeline.semantic import ImageRef, SemanticModel
from codi.pipeline.shell import Command
from codi.pipeline.optimize.stack import ContextFiles
from codi.knowledge.apt import is_apt_get_install
from codi.rules.base import LintContext
from codi.rules.catalog import Catalog, StrategyRule
from codi.knowledge.images import docker_hub_name
from codi.knowledge.packages import INSTALL_VERB, operands_after
from codi.knowledge.stacks import (
    DEPENDENCY_TOOLS,
    DependencyTool,
    compile_step,
    dependency_step,
    is_build_helper_package,
    is_toolchain_package,
    program,
    requirement_files,
)

CANDIDATE_LINT = LintConfig(shellcheck=False)
"""Candidates are checked by codi's own rules only (ShellCheck is an I/O edge)."""
SKIPPED = "skipped: "
_SUITE = re.compile(r"(trixie|bookworm|bullseye|buster)")
_ALPINE = re.compile(r"alpine(\d+\.\d+)")
_CARRIED = ("ARG", "ENV", "LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL")


class Unsupported(Exception):
    """The original has something a template cannot carry over; the message says what."""


@dataclass(frozen=True)
class Original:
    """What the templates need to know about a single-stage original."""

    base: str
    image: ImageRef
    workdir: str
    carried: tuple[str, ...]
    """ARG, ENV, LABEL, EXPOSE, VOLUME, STOPSIGNAL lines, in order: both stages keep them."""
    manifest_copies: tuple[str, ...]
    manifest_sources: tuple[str, ...]
    """The sources of `manifest_copies`, as written."""
    app_copies: tuple[str, ...]
    workdir_directories: tuple[str, ...]
    """Sources of app copies that are whole directories (`.`, `src/`) copied into WORKDIR."""
    os_packages: tuple[str, ...]
    """RUNs that install only OS packages some runtime needs (kept in the runtime too)."""
    build_packages: tuple[str, ...]
    """RUNs that install only toolchain packages (builder only)."""
    dependency: Command | None
    dependency_text: str | None
    builds: tuple[str, ...]
    """Compile steps (`go build`, `mvn package`, `npm run build` …), as written."""
    build_commands: tuple[Command, ...]
    others: tuple[str, ...]
    """RUNs that are none of the above (builder only, for compiled stacks)."""
    others_lines: tuple[int, ...]
    user: str | None
    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    port: int | None


def render_candidates(
    document: Document,
    stack: StackReport,
    start: StartCommand,
    catalog: Catalog,
    context_files: ContextFiles | None = None,
) -> tuple[list[Candidate], list[Rejection]]:
    """The multi-stage and minimal candidates of `document`, and why the others were not made.

    `context_files` (the build context's paths, when known) decides which
    optional manifests exist.
    """
    candidates: list[Candidate] = []
    rejections: list[Rejection] = []
    rule = catalog.stack(stack.stack)
    for strategy in ("multi-stage", "minimal"):
        if rule is None:
            rejections.append(Rejection(strategy, f"{SKIPPED}the catalog has no entry for the {stack.stack} stack"))
            continue
        strategy_rule = rule.strategy(strategy)
        if strategy_rule.skip is not None:
            rejections.append(Rejection(strategy, SKIPPED + strategy_rule.skip))
            continue
        try:
            original = read_original(document, stack, start)
            candidates.append(
                _render(
                    document,
                    original,
                    stack,
                    strategy,
                    strategy_rule,
                    rule.images,
                    rule.version,
                    catalog,
                    context_files,
                )
            )
        except Unsupported as problem:
            rejections.append(Rejection(strategy, str(problem)))
    return candidates, rejections


def read_original(document: Document, stack: StackReport, start: StartCommand) -> Original:
    """Sort the original's instructions into what the templates place; `Unsupported` when one cannot be."""
    ctx = LintContext(document)
    model = SemanticModel(document)
    if len(model.stages) != 1:
        raise Unsupported("the original is already multi-stage: codi rewrites single-stage Dockerfiles")
    stage = model.stages[0]
    workdir = "/"
    carried: list[str] = []
    manifest_copies: list[str] = []
    manifest_sources: list[str] = []
    app_copies: list[str] = []
    directory_copies: list[tuple[str, str]] = []
    os_packages: list[str] = []
    build_packages: list[str] = []
    builds: list[str] = []
    build_commands: list[Command] = []
    others: list[str] = []
    others_lines: list[int] = []
    dependency: Command | None = None
    dependency_text: str | None = None
    user: str | None = None
    workdirs = 0
    manifests = _manifest_names(stack.stack)
    for instr in stage.instructions:
        keyword = instr.keyword
        if keyword == "WORKDIR":
            workdirs += 1
            workdir = posixpath.join(workdir, instr.args.strip())
            if workdirs > 1:
                raise Unsupported(f"line {instr.line}: several WORKDIRs: codi's templates use one")
        elif keyword in _CARRIED:
            carried.append(instruction_text(instr))
        elif keyword in ("COPY", "ADD"):
            if instr.heredocs or instr.flag("from") is not None:
                raise Unsupported(
                    f"line {instr.line}: {keyword} of a heredoc or from another image is not carried over"
                )
            sources = [word.value for word in instr.words[:-1]]
            if sources and all(_is_manifest(s, manifests) for s in sources):
                manifest_copies.append(instruction_text(instr))
                manifest_sources.extend(sources)
            else:
                app_copies.append(instruction_text(instr))
                destination = posixpath.normpath(posixpath.join(workdir, instr.words[-1].value))
                directory_copies.extend((s, destination) for s in sources if _is_directory(s))
        elif keyword == "RUN":
            commands = ctx.shell(instr).commands
            text = instruction_text(instr)
            packages = _os_packages(commands)
            steps = [cmd for cmd in commands if dependency_step(cmd) is not None]
            compiles = [cmd for cmd in commands if compile_step(cmd) is not None]
            if packages is not None:
                (build_packages if all(map(_build_only, packages)) else os_packages).append(text)
            elif steps and dependency is None and len(_main_commands(commands)) == 1:
                dependency = steps[0]
                dependency_text = _command_text(ctx, instr, steps[0])
                if compiles:
                    builds.append(dependency_text)
                    build_commands.extend(compiles)
            elif compiles and len(_main_commands(commands)) == len(compiles):
                builds.append(text.removeprefix("RUN "))
                build_commands.extend(compiles)
            else:
                others.append(text)
                others_lines.append(instr.line)
        elif keyword == "USER":
            user = instr.args.strip()
        elif keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK", "SHELL", "ONBUILD", "MAINTAINER"):
            if keyword in ("SHELL", "ONBUILD"):
                raise Unsupported(f"line {instr.line}: {keyword} is not carried over by codi's templates")
        else:
            raise Unsupported(f"line {instr.line}: {keyword} is not carried over by codi's templates")
    entrypoint, cmd = _start_argv(stage.instructions, start)
    return Original(
        base=stage.image_as_written,
        image=stage.image,
        workdir=workdir,
        carried=tuple(carried),
        manifest_copies=tuple(manifest_copies),
        manifest_sources=tuple(manifest_sources),
        app_copies=tuple(app_copies),
        workdir_directories=tuple(s for s, destination in directory_copies if destination == workdir),
        os_packages=tuple(os_packages),
        build_packages=tuple(build_packages),
        dependency=dependency,
        dependency_text=dependency_text,
        builds=tuple(builds),
        build_commands=tuple(build_commands),
        others=tuple(others),
        others_lines=tuple(others_lines),
        user=user,
        entrypoint=entrypoint,
        cmd=cmd,
        port=stack.app_port,
    )


def dependency_steps_before_manifests(document: Document) -> list[str]:
    """Dependency steps of the builder stages that run before a COPY of the manifests they need.

    A structural self-check of every rendered candidate: a directory COPY
    counts as copying every manifest.
    """
    ctx = LintContext(document)
    stages = SemanticModel(document).stages
    problems: list[str] = []
    for stage in stages[:-1]:
        copied: list[str] = []
        for instr in stage.instructions:
            if instr.keyword in ("COPY", "ADD") and instr.flag("from") is None:
                copied.extend(word.value for word in instr.words[:-1])
            elif instr.keyword == "RUN":
                for cmd in ctx.shell(instr).commands:
                    tool = dependency_step(cmd)
                    if tool is None:
                        continue
                    missing = [name for name in step_manifests(tool, cmd)[0] if not _covered(name, copied)]
                    if missing:
                        problems.append(f"line {instr.line} runs {program(cmd)} before {', '.join(missing)} is copied")
    return problems


def instruction_text(instr: Instruction) -> str:
    """One instruction on one logical line: keyword, flags, arguments (comments dropped)."""
    flags = " ".join(f"--{f.name}={f.value}" if f.value is not None else f"--{f.name}" for f in instr.flags)
    return " ".join(part for part in (instr.keyword, flags, instr.args.strip()) if part)


def _is_directory(source: str) -> bool:
    """A source that is a directory as written (`.`, `./`, `src/`); others may be files."""
    return source in (".", "./") or source.endswith("/")


def step_manifests(tool: DependencyTool, cmd: Command | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) manifests a dependency step reads from its directory.

    `pip install -r X` reads X; `npm ci` needs the lock file too; other tools
    need their first manifest and use the rest (lock files) when present.
    `cmd` is None for a module's default command.
    """
    if cmd is not None and (tool.name == "pip" or (tool.name == "uv" and cmd.has_any_flag("r", "requirement"))):
        return tuple(requirement_files(cmd)), ()
    if cmd is not None and tool.name == "npm" and "ci" in cmd.args_no_flags():
        return tool.manifests, ()
    return tool.manifests[:1], tool.manifests[1:]


def _builder_manifest_copies(original: Original, stack: str, context_files: ContextFiles | None) -> list[str]:
    """The COPY lines that put the dependency step's manifests in place before it runs.

    The original's own manifest COPYs when they cover the required manifests;
    else the manifests picked out of a whole-directory COPY into WORKDIR
    (`COPY . .`): the required ones, and the optional ones that exist in the
    build context, or a `[x]` glob that copies one only if present (BuildKit
    allows a wildcard source to match nothing) when the context is unknown.
    `Unsupported` when the manifests cannot be determined.
    """
    if original.dependency is not None:
        tool, cmd = dependency_step(original.dependency), original.dependency
    elif stack == "go":
        tool, cmd = DEPENDENCY_TOOLS["go"], None
    else:
        return list(original.manifest_copies)
    assert tool is not None
    if original.dependency_text in original.builds:
        return list(original.manifest_copies)
    required, optional = step_manifests(tool, cmd)
    if not required:
        raise Unsupported(f"codi cannot tell which manifests `{original.dependency_text}` reads")
    if original.manifest_copies and all(_covered(name, original.manifest_sources) for name in required):
        return list(original.manifest_copies)
    if len(original.workdir_directories) != 1:
        copied = "several directories" if original.workdir_directories else "no directory"
        raise Unsupported(
            f"the original copies {copied} into WORKDIR and not {', '.join(required)} on its own: "
            "codi cannot tell which manifests to copy before the dependency install"
        )
    directory = original.workdir_directories[0]
    files = None if context_files is None else {posixpath.normpath(path) for path in context_files}
    by_folder: dict[str, list[str]] = {}
    for name in (*required, *optional):
        path = posixpath.normpath(posixpath.join(directory, name))
        if files is not None and path not in files:
            if name in required:
                raise Unsupported(f"the dependency install needs {path}, which is not in the build context")
            continue
        source = f"{path[:-1]}[{path[-1]}]" if files is None and name in optional else path
        by_folder.setdefault(posixpath.dirname(posixpath.normpath(name)), []).append(source)
    return [f"COPY {' '.join(sources)} {folder or '.'}/" for folder, sources in sorted(by_folder.items())]


def _covered(name: str, sources: tuple[str, ...] | list[str]) -> bool:
    """Whether copying `sources` into the step's directory puts `name` there."""
    return any(
        _is_directory(source)
        or posixpath.normpath(source) == posixpath.normpath(name)
        or fnmatch.fnmatchcase(posixpath.basename(name), posixpath.basename(source.rstrip("/")))
        for source in sources
    )


def _manifest_names(stack: str) -> tuple[str, ...]:
    return tuple(sorted({m for tool in DEPENDENCY_TOOLS.values() if tool.stack == stack for m in tool.manifests}))


def _is_manifest(source: str, manifests: tuple[str, ...]) -> bool:
    """`requirements.txt`, `./package*.json`, `go.*` … name only dependency manifests."""
    name = posixpath.basename(source.rstrip("/"))
    if not name or name == ".":
        return False
    pattern = re.compile(re.escape(name).replace(r"\*", "[^/]*").replace(r"\?", "."))
    if "*" in name or "?" in name:
        return any(pattern.fullmatch(m) for m in manifests) and all(
            any(re.fullmatch(m.replace("*", ".*"), candidate) for m in manifests) for candidate in _expansions(name)
        )
    return any(re.fullmatch(re.escape(m).replace(r"\*", ".*"), name) for m in manifests)


def _expansions(glob: str) -> tuple[str, ...]:
    """The usual files a manifest glob copies (`package*.json` → package.json, package-lock.json)."""
    known = {"package*.json": ("package.json", "package-lock.json"), "go.*": ("go.mod", "go.sum")}
    return known.get(glob, (glob,))


def _os_packages(commands: tuple[Command, ...]) -> list[str] | None:
    """The packages when every main command of the RUN updates, installs or cleans OS packages; else None."""
    packages: list[str] = []
    for cmd in _main_commands(commands):
        name = program(cmd)
        if name in ("rm", "apt-get", "apk", "dnf", "yum", "microdnf") and not (
            name in INSTALL_VERB and cmd.has_args(INSTALL_VERB[name])
        ):
            continue
        if name in INSTALL_VERB and (is_apt_get_install(cmd) or cmd.has_args(INSTALL_VERB[name])):
            packages.extend(p for p in operands_after(cmd, INSTALL_VERB[name]) if not p.startswith("-"))
            continue
        return None
    return packages or None


def _main_commands(commands: tuple[Command, ...]) -> list[Command]:
    """Commands that do something (not `set -e`, `cd`, `echo` …)."""
    return [cmd for cmd in commands if cmd.name not in ("set", "cd", "echo", "true", ":")]


def _build_only(package: str) -> bool:
    return is_toolchain_package(package) or is_build_helper_package(package)


def _command_text(ctx: LintContext, instr: Instruction, cmd: Command) -> str:
    script = ctx.shell(instr).scripts[0]
    return script.text[cmd.start : cmd.end]


def _start_argv(
    instructions: list[Instruction], start: StartCommand
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """ENTRYPOINT and CMD in exec form, keeping the original's split when both already are."""
    entry = next((i for i in reversed(instructions) if i.keyword == "ENTRYPOINT"), None)
    cmd = next((i for i in reversed(instructions) if i.keyword == "CMD"), None)
    if entry is None and cmd is None:
        raise Unsupported("the original has no CMD or ENTRYPOINT: there is no application to run")
    if all(i is None or i.exec_form is not None for i in (entry, cmd)):
        return (entry.exec_form if entry else None), (cmd.exec_form if cmd else None)
    argv = start.exec_conversion or (None if start.shell_form else start.argv)
    if argv is None:
        why = start.why_not_exec or "its argv is unknown"
        raise Unsupported(f"the start command cannot be put in exec form: {why}")
    if entry is not None and entry.exec_form is None:
        return tuple(argv), None
    return (entry.exec_form if entry else None), tuple(argv[len(entry.exec_form) :] if entry else argv)


def _render(
    original_document: Document,
    original: Original,
    stack: StackReport,
    strategy: Strategy,
    rule: StrategyRule,
    images: tuple[str, ...],
    version_pattern: re.Pattern[str],
    catalog: Catalog,
    context_files: ContextFiles | None,
) -> Candidate:
    name = docker_hub_name(original.image) or ""
    if name not in images:
        raise Unsupported(
            f"the base image {original.base} is not one the {stack.stack} templates start from ({', '.join(images)})"
        )
    tag = original.image.tag or ""
    match = version_pattern.search(tag)
    if match is None:
        raise Unsupported(
            f"the tag of {original.base} names no {stack.stack} version codi can carry to the runtime image"
        )
    version = match.group("version")
    if rule.versions is not None and version not in rule.versions:
        raise Unsupported(f"no {strategy} runtime for {stack.stack} {version} (only {', '.join(rule.versions)})")
    family = "alpine" if "alpine" in tag else "debian"
    pattern = rule.runtime_for(family)
    if pattern is None:
        raise Unsupported(f"no {strategy} runtime image for the {family} family of {original.base}")
    suite = _SUITE.search(tag)
    alpine = _ALPINE.search(tag)
    runtime = pattern.format(
        version=version,
        suite=suite.group(1) if suite else catalog.default_suite,
        alpine=alpine.group(1) if alpine else catalog.default_alpine,
    )
    if original.user is not None:
        raise Unsupported(f"the original runs as USER {original.user}: codi's templates set their own non-root user")
    context = _template_context(original, stack, strategy, runtime, family, rule, context_files)
    uses = [
        (use.name, {**dict(use.parameters), **_module_arguments(use.name, original, rule, family)})
        for use in rule.modules
    ]
    try:
        text = _template(rule.template).render(context)
        injection = inject(text, uses, context, stack.stack)
    except (jinja2.UndefinedError, ModuleError) as error:
        raise Unsupported(f"template {rule.template}: {error}") from None
    fixed = fix_text(injection.text, CANDIDATE_LINT)
    candidate_document = parse(fixed)
    unordered = dependency_steps_before_manifests(candidate_document)
    if unordered:
        raise Unsupported(f"the rendered builder would not build: {'; '.join(unordered)}")
    problems = [
        f"{f.code} line {f.span.line}"
        for f in lint_text(fixed, CANDIDATE_LINT).findings
        if f.severity in (Severity.WARNING, Severity.ERROR)
    ]
    if problems:
        raise Unsupported(f"the rendered candidate does not lint clean: {', '.join(problems)}")
    changes = [*context["changes"], *injection.changes]
    if fixed != injection.text:
        changes.append(Change("fix", "codi's safe fixes applied to the instructions carried over"))
    changes.extend(Change("module-skipped", f"{module}: {reason}") for module, reason in injection.skipped)
    return Candidate(
        strategy=strategy,
        dockerfile=fixed,
        changes=tuple(changes),
        estimate=estimate_change(original_document, candidate_document),
        template=rule.template,
        module_versions=injection.module_versions,
    )


@cache
def _template(name: str) -> jinja2.Template:
    return _templates().get_template(f"{name}.Dockerfile.j2")


@cache
def _templates() -> jinja2.Environment:
    folder = resources.files("codi.modules").joinpath("templates")
    return environment(jinja2.FunctionLoader(lambda name: folder.joinpath(name).read_text(encoding="utf-8")))


def _module_arguments(module: str, original: Original, rule: StrategyRule, family: str) -> dict[str, Any]:
    """Parameter values that come from the original (the catalog gives the rest)."""
    if module == "security":
        return {"shell": rule.runtime_shell, "family": family}
    if module == "healthcheck":
        return {"tool": rule.healthcheck_tool, "port": original.port}
    if module == "deps-python":
        files = _requirement_files(original)
        return {"requirements": files[0]} if files else {}
    if module.startswith("deps-") and original.dependency is not None:
        tool = dependency_step(original.dependency)
        arguments = {"command": original.dependency_text}
        if tool is not None and tool.cache_dirs:
            arguments["cache_target"] = cache_target(tool.cache_dirs[0])
        return arguments
    return {}


_CACHE_TARGETS = {
    "cargo/registry": "/usr/local/cargo/registry",
    "bundle": "/usr/local/bundle/cache",
    "pnpm": "/root/.local/share/pnpm/store",
    "composer": "/root/.composer/cache",
    "go-build": "/root/.cache/go-build",
}


def cache_target(fragment: str) -> str:
    """The absolute cache-mount target of a tool's cache (`.m2` → `/root/.m2`), for root builds."""
    if fragment.startswith("/"):
        return fragment
    return _CACHE_TARGETS.get(fragment, f"/root/{fragment}")


def _requirement_files(original: Original) -> list[str]:
    return requirement_files(original.dependency) if original.dependency is not None else []


def _template_context(
    original: Original,
    stack: StackReport,
    strategy: Strategy,
    runtime: str,
    family: str,
    rule: StrategyRule,
    context_files: ContextFiles | None,
) -> dict[str, Any]:
    """The variables every template gets (and fragments with them)."""
    tool = dependency_step(original.dependency) if original.dependency is not None else None
    if stack.stack in ("python", "node", "ruby") and tool is None:
        raise Unsupported("no dependency install step: a builder stage would have nothing to do")
    if stack.stack == "python" and tool is not None and tool.name != "pip":
        raise Unsupported(
            f"dependencies are installed by {tool.name}: codi's python templates install pip requirements"
        )
    if not rule.runtime_shell and original.os_packages:
        raise Unsupported(f"{runtime} has no package manager for the OS packages the original installs")
    if stack.stack in ("java", "rust") and original.dependency is None:
        raise Unsupported(f"no {stack.stack} build tool codi knows (maven, gradle, cargo) builds the application")
    builder_manifest_copies = _builder_manifest_copies(original, stack.stack, context_files)
    changes = [
        Change("multi-stage", f"builder stage on {original.base}; runtime stage on {runtime}"),
        Change("base-image", f"runtime image {runtime} instead of {original.base}"),
    ]
    if original.build_packages:
        changes.append(Change("toolchain", "build-only OS packages are installed in the builder stage only"))
    entrypoint, cmd = original.entrypoint, original.cmd
    runtime_entrypoint = _runtime_entrypoint(stack.stack, strategy)
    if runtime_entrypoint and entrypoint is None:
        entrypoint = ()
        changes.append(Change("entrypoint", f"ENTRYPOINT [] clears {runtime}'s own entry point, so CMD runs as before"))
    argv = (*(entrypoint or ()), *(cmd or ()))
    interpreter = _INTERPRETERS.get((stack.stack, strategy))
    if interpreter is not None and argv and argv[0] in interpreter[0]:
        changes.append(Change("start-command", f"{argv[0]} is {interpreter[1]} in {runtime}"))
        if entrypoint:
            entrypoint = (interpreter[1], *entrypoint[1:])
        else:
            cmd = (interpreter[1], *(cmd or ())[1:])
    elif interpreter is not None and argv:
        raise Unsupported(f"the start command runs {argv[0]}, which {runtime} does not have (only {interpreter[1]})")
    return {
        "stack": stack.stack,
        "strategy": strategy,
        "builder_image": original.base,
        "runtime_image": runtime,
        "family": family,
        "runtime_shell": rule.runtime_shell,
        "workdir": original.workdir,
        "carried": list(original.carried),
        "manifest_copies": list(original.manifest_copies),
        "builder_manifest_copies": builder_manifest_copies,
        "app_copies": list(original.app_copies),
        "os_packages": list(original.os_packages),
        "build_packages": list(original.build_packages),
        "dependency": original.dependency_text,
        "builds": [line for line in original.builds if line != original.dependency_text],
        "dependency_builds": original.dependency_text in original.builds,
        "others": list(original.others),
        "artefacts": _artefacts(original, stack.stack),
        "entrypoint": json.dumps(list(entrypoint)) if entrypoint is not None else None,
        "cmd": json.dumps(list(cmd)) if cmd is not None else None,
        "changes": changes,
    }


_INTERPRETERS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("python", "minimal"): (("python", "python3", "python3.11"), "python3"),
    ("node", "minimal"): (("node", "nodejs"), "/nodejs/bin/node"),
}
"""Distroless runtimes name their interpreter differently: which start programs map to what."""


def _runtime_entrypoint(stack: str, strategy: Strategy) -> bool:
    """Whether the runtime image sets an ENTRYPOINT of its own (distroless python, node, java)."""
    return strategy == "minimal" and stack in ("python", "node", "java")


_COMPILED = ("go", "rust", "java")


@dataclass(frozen=True)
class Artefact:
    """A file the builder produces and the runtime needs, and where it goes."""

    source: str
    target: str


def _artefacts(original: Original, stack: str) -> list[Artefact]:
    """For compiled stacks, the built files the start command needs; `Unsupported` when unknown."""
    if stack not in _COMPILED:
        if original.others:
            raise Unsupported(
                f"line {original.others_lines[0]}: a RUN that is neither an OS package install, a dependency "
                "install nor a build step: codi cannot tell which stage it belongs to"
            )
        return []
    if not original.builds:
        raise Unsupported(f"no {stack} build step found: nothing to copy from a builder stage")
    argv = [*(original.entrypoint or ()), *(original.cmd or ())]
    if not argv:
        raise Unsupported("the start command is empty")
    if stack == "java":
        if "-jar" not in argv[:-1]:
            raise Unsupported("the start command does not run `java -jar FILE`: codi cannot tell which jar to copy")
        jar = argv[argv.index("-jar") + 1]
        if "*" in jar or "$" in jar:
            raise Unsupported(f"the jar {jar} is a pattern: codi copies one known file")
        path = posixpath.normpath(posixpath.join(original.workdir, jar))
        return [Artefact(path, path)]
    program_path = argv[0]
    if "/" in program_path:
        path = posixpath.normpath(posixpath.join(original.workdir, program_path))
        return [Artefact(path, path)]
    for cmd in original.build_commands:
        output = cmd.flag_args("o")
        if output and posixpath.basename(output[0]) == program_path:
            built = posixpath.normpath(posixpath.join(original.workdir, output[0]))
            return [Artefact(built, posixpath.join("/usr/local/bin", program_path))]
        if program(cmd) == "cargo" and cmd.has_args("install"):
            return [Artefact(f"/usr/local/cargo/bin/{program_path}", f"/usr/local/bin/{program_path}")]
    raise Unsupported(f"codi cannot tell which file the build writes for the start program {program_path}")
