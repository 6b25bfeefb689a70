"""Render the multi-stage and minimal candidates of a single-stage Dockerfile by transforming it.

The original is read by effect (`read_original`): OS package installs (each
with the index updates before it; build-only packages — compilers, build
tools, version control, headers — split from what the runtime needs, headers
swapped for their run-time library), the dependency install, build steps,
application copies, USER, configuration (ARG, ENV, LABEL, EXPOSE, VOLUME,
STOPSIGNAL, SHELL, ONBUILD, HEALTHCHECK), and RUNs codi cannot classify. Each
goes into the stage where its effect is needed, in the original's order and
WORKDIRs: interpreted stacks re-copy the application in the runtime and take
the installed dependencies from the builder; compiled stacks (and node apps
with a build step) replay the original up to the build in the builder and
copy its artefacts plus the files the program reads at run time. An
unclassified RUN goes to the runtime (and the builder, when it comes before
the dependency install and after no application copy), and the rationale
says so. The runtime image comes from the original's own tag family
(`codi/pipeline/optimize/images.py`). A non-root user is added only when the
original runs as root, and then the application's folder is that user's.

The catalog picks the template and the modules; the template gets these
facts as variables, the modules are injected at their markers, codi's safe
fixes are applied, and the result must lint with no warning or error, or it
is a `Rejection`. Strategies the stack does not allow come back as rejections
whose reason starts with `skipped:`. Each candidate carries its dry-run
estimate against the original.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
import json
import posixpath
import re
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

import jinja2

from codi.modules import ModuleError, environment, inject
from codi.pipeline.config import LintConfig
from codi.pipeline.optimize.estimate import estimate_change
from codi.pipeline.findings import Severity
from codi.pipeline.lint import fix_text, lint_text
from codi.pipeline.model import Document, Instruction
from codi.pipeline.parser import parse
from codi.pipeline.optimize.model import Candidate, Change, Rejection, StackReport, StartCommand, Strategy
from codi.pipeline.semantic import ImageRef, SemanticModel, parse_image
from codi.pipeline.shell import Command, parse_script
from codi.pipeline.optimize.images import DISTROLESS_PYTHON, runtime_image
from codi.pipeline.optimize.preservation import within
from codi.pipeline.optimize.stack import ContextFiles, run_commands
from codi.knowledge.apt import is_apt_get_install
from codi.knowledge.arguments import argument_values
from codi.knowledge.runtime_libraries import runtime_library
from codi.rules.base import LintContext
from codi.rules.catalog import Catalog, StrategyRule
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
_CARRIED = ("ARG", "ENV", "LABEL", "EXPOSE", "VOLUME", "STOPSIGNAL", "MAINTAINER", "SHELL")
_BUILDER_CARRIED = ("ARG", "ENV", "SHELL")
_BUILD_ONLY_EXTRA = frozenset({"git", "subversion", "mercurial"})
"""Version-control clients: builds fetch with them, applications rarely run them (unless a RUN in the
runtime stage does, which keeps them there)."""
_RUNTIME_UID = "10001:10001"
StepKind = Literal["manifest", "app", "other", "user", "dependency", "build"]


class Unsupported(Exception):
    """The original has something a candidate cannot carry over; the message says what."""


@dataclass(frozen=True)
class Step:
    """One of the original's instructions a candidate replays, in order, with the WORKDIR it ran in."""

    kind: StepKind
    text: str
    workdir: str | None
    """None: before any WORKDIR (the base image's own)."""
    line: int
    instruction: Instruction | None = None


@dataclass(frozen=True)
class PackageGroup:
    """An OS package install with the index updates before it (never separated from them)."""

    texts: tuple[str, ...]
    """The RUNs as the original has them: the builder runs them."""
    runtime_texts: tuple[str, ...]
    """The same RUNs with build-only packages left out (headers swapped for their libraries): the runtime
    runs them; empty when nothing is left to install."""
    left_out: tuple[str, ...]
    """The build-only packages the runtime does without."""


@dataclass(frozen=True)
class PipInstall:
    """One pip install of the dependency RUN: what follows `install`, and whether it only upgrades pip
    itself (`--upgrade pip`: the builder's installer, not one of the application's packages)."""

    arguments: str
    upgrades_pip: bool


@dataclass(frozen=True)
class Original:
    """A single-stage original, read by effect: what each instruction does and where it is needed."""

    base: str
    image: ImageRef
    carried: tuple[str, ...]
    """ARG, ENV, LABEL, EXPOSE, VOLUME, STOPSIGNAL, MAINTAINER, SHELL lines, in order: both stages keep them."""
    onbuild: tuple[str, ...]
    """ONBUILD triggers: the runtime image keeps them for images built FROM it."""
    healthcheck: str | None
    packages: tuple[PackageGroup, ...]
    steps: tuple[Step, ...]
    """Everything else that changes the image, in order (copies, RUNs, USER; the dependency install and
    build steps as markers)."""
    dependency: Command | None
    dependency_text: str | None
    dependency_installs: tuple[PipInstall, ...]
    """The pip installs of the dependency RUN (`-r requirements.txt`, `--upgrade pip`, `-e .`)."""
    dependency_needs_sources: bool
    """The dependency install builds the project itself (`pip install -e .`): it needs the sources."""
    builds: tuple[str, ...]
    build_commands: tuple[Command, ...]
    user: str | None
    """The original's last USER, None when it runs as root (no USER, or root/0)."""
    final_workdir: str | None
    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    port: int | None

    def index(self, kind: StepKind) -> int | None:
        return next((i for i, step in enumerate(self.steps) if step.kind == kind), None)

    @property
    def dependency_workdir(self) -> str | None:
        at = self.index("dependency")
        return self.steps[at].workdir if at is not None else self.final_workdir

    @property
    def last_build(self) -> int | None:
        found = [i for i, step in enumerate(self.steps) if step.kind in ("build", "dependency")]
        builds = [i for i in found if self.steps[i].kind == "build" or self.dependency_text in self.builds]
        return builds[-1] if builds else None


def render_candidates(
    document: Document,
    stack: StackReport,
    start: StartCommand,
    catalog: Catalog,
    context_files: ContextFiles | None = None,
) -> tuple[list[Candidate], list[Rejection]]:
    """The multi-stage and minimal candidates of `document`, and why the others were not made.

    `context_files` (the build context's paths, when known) decides which
    optional manifests exist and which files a compiled program reads at run time.
    """
    candidates: list[Candidate] = []
    rejections: list[Rejection] = []
    rule = catalog.stack(stack.stack)
    original: Original | Unsupported | None = None
    for strategy in ("multi-stage", "minimal"):
        if rule is None:
            rejections.append(Rejection(strategy, f"{SKIPPED}the catalog has no entry for the {stack.stack} stack"))
            continue
        strategy_rule = rule.strategy(strategy)
        if strategy_rule.skip is not None:
            rejections.append(Rejection(strategy, SKIPPED + strategy_rule.skip))
            continue
        try:
            if original is None:
                try:
                    original = read_original(document, stack, start)
                except Unsupported as problem:
                    original = problem
            if isinstance(original, Unsupported):
                raise original
            candidates.append(_render(document, original, stack, strategy, strategy_rule, start, context_files))
        except Unsupported as problem:
            rejections.append(Rejection(strategy, str(problem)))
    return candidates, rejections


def read_original(document: Document, stack: StackReport, start: StartCommand) -> Original:
    """Sort the original's instructions by effect; `Unsupported` only for what no stage can carry."""
    ctx = LintContext(document)
    model = SemanticModel(document)
    if len(model.stages) != 1:
        raise Unsupported("the original is already multi-stage: codi rewrites single-stage Dockerfiles")
    stage = model.stages[0]
    suite = _SUITE.search(stage.image.tag or "")
    reader = _Reader(ctx, _manifest_names(stack.stack), suite.group(1) if suite else "bookworm")
    for instr in stage.instructions:
        reader.read(instr)
    if reader.pending:
        reader.packages.append(PackageGroup(tuple(reader.pending), tuple(reader.pending), ()))
    entrypoint, cmd = _start_argv(stage.instructions, start)
    dependency = reader.dependency
    return Original(
        base=stage.image_as_written,
        image=stage.image,
        carried=tuple(reader.carried),
        onbuild=tuple(reader.onbuild),
        healthcheck=reader.healthcheck,
        packages=tuple(reader.packages),
        steps=tuple(reader.steps),
        dependency=dependency,
        dependency_text=reader.dependency_text,
        dependency_installs=tuple(reader.dependency_installs),
        dependency_needs_sources=reader.needs_sources,
        builds=tuple(reader.builds),
        build_commands=tuple(reader.build_commands),
        user=reader.user,
        final_workdir=reader.workdir,
        entrypoint=entrypoint,
        cmd=cmd,
        port=stack.app_port,
    )


class _Reader:
    """Reads a stage's instructions in order, sorting each by what it does to the image."""

    def __init__(self, ctx: LintContext, manifests: tuple[str, ...], distribution: str) -> None:
        self.ctx = ctx
        self.distribution = distribution
        self.manifests = manifests
        self.workdir: str | None = None
        self.carried: list[str] = []
        self.onbuild: list[str] = []
        self.healthcheck: str | None = None
        self.packages: list[PackageGroup] = []
        self.pending: list[str] = []
        """Index-update RUNs waiting for the install that follows them."""
        self.steps: list[Step] = []
        self.dependency: Command | None = None
        self.dependency_text: str | None = None
        self.dependency_installs: list[PipInstall] = []
        self.needs_sources = False
        self.builds: list[str] = []
        self.build_commands: list[Command] = []
        self.user: str | None = None

    def step(self, kind: StepKind, instr: Instruction, text: str | None = None) -> None:
        self.steps.append(Step(kind, text if text is not None else _text(instr), self.workdir, instr.line, instr))

    def read(self, instr: Instruction) -> None:
        keyword = instr.keyword
        if keyword == "WORKDIR":
            path = instr.args.strip().strip("\"'")
            self.workdir = path if path.startswith("$") else posixpath.normpath(posixpath.join(self.workdir or "/", path))
        elif keyword in _CARRIED:
            self.carried.append(instruction_text(instr))
        elif keyword == "ONBUILD":
            self.onbuild.append(_text(instr))
        elif keyword == "HEALTHCHECK":
            self.healthcheck = _text(instr)
        elif keyword in ("COPY", "ADD"):
            self.read_copy(instr)
        elif keyword == "RUN":
            self.read_run(instr)
        elif keyword == "USER":
            name = instr.args.strip()
            self.user = None if name.split(":", 1)[0] in ("root", "0") else name
            self.step("user", instr)

    def read_copy(self, instr: Instruction) -> None:
        if instr.heredocs or instr.flag("from") is not None:
            self.step("other", instr)
            return
        sources = [word.value for word in instr.words[:-1]]
        manifest = bool(sources) and all(_is_manifest(source, self.manifests) for source in sources)
        self.step("manifest" if manifest else "app", instr)

    def read_run(self, instr: Instruction) -> None:
        commands = self.ctx.shell(instr).commands
        text = instruction_text(instr)
        packages = None if instr.heredocs else _os_packages(commands)
        if packages == []:
            self.pending.append(text)
            return
        if packages is not None:
            self.packages.append(_package_group((*self.pending, text), self.ctx, instr, self.distribution))
            self.pending = []
            return
        main = _main_commands(commands)
        steps = [cmd for cmd in main if dependency_step(cmd) is not None or _installs_project(cmd)]
        compiles = [cmd for cmd in main if compile_step(cmd) is not None]
        helpers = [cmd for cmd in main if _is_tool_upgrade(cmd) or _is_cache_cleanup(cmd)]
        plain = not instr.heredocs and not instr.flags
        if plain and steps and self.dependency is None and len(main) == len({*map(id, steps + compiles + helpers)}):
            primary = steps[-1]
            self.dependency = primary
            self.needs_sources = any(_installs_project(cmd) for cmd in steps)
            self.dependency_installs = [
                PipInstall(_pip_arguments(self.ctx, instr, cmd), _upgrades_pip_only(cmd))
                for cmd in main
                if cmd.is_pip_install()
            ]
            if compiles:
                self.dependency_text = text.removeprefix("RUN ")
                self.builds.append(self.dependency_text)
                self.build_commands.extend(compiles)
            else:
                self.dependency_text = _command_text(self.ctx, instr, primary)
            self.step("dependency", instr)
        elif plain and compiles and len(main) == len(compiles):
            self.builds.append(text.removeprefix("RUN "))
            self.build_commands.extend(compiles)
            self.step("build", instr, text)
        else:
            # an index update before this RUN may be for it (`RUN apt-get update` then `RUN apt-get install x
            # && make`): it goes where this RUN goes, right before it
            self.steps.extend(Step("other", update, self.workdir, instr.line) for update in self.pending)
            self.pending = []
            self.step("other", instr)


def _text(instr: Instruction) -> str:
    """The instruction as it must be written again: verbatim when it has heredocs, else on one line."""
    if instr.heredocs or (instr.inner is not None and instr.inner.heredocs):
        return instr.raw.rstrip("\n")
    return instruction_text(instr)


def _package_group(texts: tuple[str, ...], ctx: LintContext, instr: Instruction, distribution: str) -> PackageGroup:
    """The install RUN (`instr`, the last of `texts`) and the runtime's version of it: compilers, build
    tools and version control left out, headers swapped for their run-time library."""
    script = ctx.shell(instr).scripts[0]
    cuts: list[tuple[int, int, str]] = []
    left_out: list[str] = []
    kept = False
    for cmd in _main_commands(ctx.shell(instr).commands):
        verb = INSTALL_VERB.get(program(cmd))
        if verb is None or not cmd.has_args(verb):
            continue
        values = [word.value for word in cmd.args]
        words = [word for word in cmd.args[values.index(verb) + 1 :] if not word.value.startswith("-")]
        plan = [(word, _runtime_package(word.value, "alpine" if program(cmd) == "apk" else distribution)) for word in words]
        if all(package is None for _, package in plan):
            left_out.extend(word.value for word in words)
            continue
        kept = True
        for word, package in plan:
            if package != word.value:
                cuts.append((word.start, word.end, package or ""))
                left_out.append(word.value)
    if not kept:
        return PackageGroup(texts, (), tuple(left_out))
    body = script.text
    for start, end, package in sorted(cuts, reverse=True):
        while not package and start > 0 and body[start - 1] in " \t":
            start -= 1
        body = body[:start] + package + body[end:]
    return PackageGroup(texts, (*texts[:-1], f"RUN {body.strip()}"), tuple(left_out))


def _runtime_package(package: str, distribution: str) -> str | None:
    """What the runtime installs for `package`: itself, its run-time library (for a header), or None."""
    if not _build_only(package):
        return package
    bare = _bare(package)
    if bare.endswith(("-dev", "-devel")) or bare in ("linux-headers", "musl-dev"):
        library = runtime_library(bare, distribution)
        if library is None:
            return package
        # a header and its library come from one source package: the same version pin fits both
        return library + package[len(bare) :] if library else None
    return None


def _bare(package: str) -> str:
    return re.split(r"[=<>~]", package, maxsplit=1)[0].lower()


def _installs_project(cmd: Command) -> bool:
    """`pip install -e .`, `pip install --editable .`, `pip install .`: the project itself, from its sources."""
    if not cmd.is_pip_install():
        return False
    words = [word for word in cmd.values if word not in ("-e", "--editable")]
    return any(word in (".", "./") or word.startswith(".[") or word.startswith("./") for word in words)


_TOOLS = frozenset({"pip", "setuptools", "wheel", "pip-tools"})


def _is_tool_upgrade(cmd: Command) -> bool:
    """`pip install --upgrade pip setuptools wheel`: the installer's own tools, not the application's."""
    names = _pip_install_names(cmd)
    return bool(names) and names <= _TOOLS


def _upgrades_pip_only(cmd: Command) -> bool:
    """`pip install --upgrade pip`: only the installer itself (setuptools or wheel an application may import)."""
    return _pip_install_names(cmd) == {"pip"}


def _pip_install_names(cmd: Command) -> set[str]:
    """The project names a pip install command names (`pip install -U pip==24.0` → {"pip"})."""
    if not cmd.is_pip_install():
        return set()
    words = cmd.args_no_flags()
    names = words[words.index("install") + 1 :] if "install" in words else []
    return {re.split(r"[=<>~\[]", name, maxsplit=1)[0].lower() for name in names}


def _is_cache_cleanup(cmd: Command) -> bool:
    """`rm -rf /root/.cache`, `pip cache purge`, `npm cache clean --force`: cleanups a cache mount makes moot."""
    name = program(cmd)
    if name in ("pip", "pip3", "npm", "yarn") and cmd.has_args("cache"):
        return True
    if name != "rm":
        return False
    paths = [word for word in cmd.values if not word.startswith("-")]
    return bool(paths) and all(".cache" in path or path.startswith(("/tmp", "~/.npm", "/root/.npm")) for path in paths)


def _pip_arguments(ctx: LintContext, instr: Instruction, cmd: Command) -> str:
    """What follows `install` in a pip install command, as written (`--no-cache-dir -r requirements.txt`)."""
    script = ctx.shell(instr).scripts[0]
    install = next(word for word in cmd.args if word.value == "install")
    return script.text[install.end : cmd.end].strip()


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


def _builder_manifest_copies(original: Original, context_files: ContextFiles | None) -> list[str]:
    """The COPY lines to add before the dependency step so that its manifests are in place.

    None when the original's own manifest COPYs before it cover the required
    manifests (they are replayed); else the manifests picked out of a
    whole-directory COPY into its WORKDIR (`COPY . .`): the required ones, and
    the optional ones that exist in the build context, or a `[x]` glob that
    copies one only if present (BuildKit allows a wildcard source to match
    nothing) when the context is unknown. `Unsupported` when the manifests
    cannot be determined.
    """
    at = original.index("dependency")
    if original.dependency is None or at is None or original.dependency_needs_sources:
        return []
    tool = dependency_step(original.dependency)
    if tool is None or original.dependency_text in original.builds:
        return []
    required, optional = step_manifests(tool, original.dependency)
    if not required:
        raise Unsupported(f"codi cannot tell which manifests `{original.dependency_text}` reads")
    before = original.steps[:at]
    sources = [word.value for step in before if step.kind == "manifest" and step.instruction for word in step.instruction.words[:-1]]
    if sources and all(_covered(name, sources) for name in required):
        return []
    workdir = original.dependency_workdir
    directories = [
        source
        for step in original.steps
        if step.kind == "app" and step.instruction is not None
        for source in (word.value for word in step.instruction.words[:-1])
        if _is_directory(source)
        and posixpath.normpath(posixpath.join(step.workdir or "/", step.instruction.words[-1].value)) == (workdir or "/")
    ]
    if len(directories) != 1:
        copied = "several directories" if directories else "no directory"
        raise Unsupported(
            f"the original copies {copied} into WORKDIR and not {', '.join(required)} on its own: "
            "codi cannot tell which manifests to copy before the dependency install"
        )
    directory = directories[0]
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


_PACKAGE_CACHES = ("/var/lib/apt/lists", "/var/cache/apt", "/var/cache/apk", "/var/cache/yum", "/var/cache/dnf")


def _os_packages(commands: tuple[Command, ...]) -> list[str] | None:
    """The packages when every main command of the RUN refreshes, installs or cleans OS packages (an
    empty list for index updates alone); else None."""
    packages: list[str] = []
    refreshes = False
    for cmd in _main_commands(commands):
        name = program(cmd)
        if name in INSTALL_VERB and (is_apt_get_install(cmd) or cmd.has_args(INSTALL_VERB[name])):
            packages.extend(p for p in operands_after(cmd, INSTALL_VERB[name]) if not p.startswith("-"))
        elif name in ("apt-get", "apt", "apk", "dnf", "yum", "microdnf"):
            refreshes = refreshes or cmd.has_args("update", "upgrade", "dist-upgrade", "makecache")
        elif name != "rm" or not all(
            word.startswith("-") or word.startswith(_PACKAGE_CACHES) for word in cmd.values
        ):
            return None
    return packages if packages or refreshes else None


def _main_commands(commands: tuple[Command, ...]) -> list[Command]:
    """Commands that do something (not `set -e`, `cd`, `echo` …)."""
    return [cmd for cmd in commands if cmd.name not in ("set", "cd", "echo", "true", ":")]


def _build_only(package: str) -> bool:
    return is_toolchain_package(package) or is_build_helper_package(package) or _bare(package) in _BUILD_ONLY_EXTRA


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
        return None, None
    if all(i is None or i.exec_form is not None for i in (entry, cmd)):
        return (entry.exec_form if entry else None), (cmd.exec_form if cmd else None)
    argv = start.exec_conversion or (None if start.shell_form else start.argv)
    if argv is None:
        why = start.why_not_exec or "its argv is unknown"
        raise Unsupported(f"the start command cannot be put in exec form: {why}")
    if entry is not None and entry.exec_form is None:
        return tuple(argv), None
    return (entry.exec_form if entry else None), tuple(argv[len(entry.exec_form) :] if entry else argv)




_RECOPY = ("python", "ruby", "node")
"""Stacks whose runtime copies the application again and takes only the installed dependencies from the
builder (node only when nothing is built: then the runtime takes the built WORKDIR)."""
_COMPILED = ("go", "rust", "java")
_FULL_IMAGE_PROGRAMS = frozenset(
    {"curl", "wget", "git", "gcc", "g++", "cc", "make", "cmake", "unzip", "ssh", "svn", "hg", "gpg"}
)
"""Programs the full language images have and their slim/JRE/distroless runtimes do not."""


def _render(
    original_document: Document,
    original: Original,
    stack: StackReport,
    strategy: Strategy,
    rule: StrategyRule,
    start: StartCommand,
    context_files: ContextFiles | None,
) -> Candidate:
    runtime = _runtime_image(original, stack.stack, strategy)
    family = "alpine" if "alpine" in runtime.split("/")[-1] else "debian"
    context = _template_context(original, stack, strategy, runtime, family, rule, start, context_files)
    uses = [
        (use.name, {**dict(use.parameters), **_module_arguments(use.name, original, rule, family, context)})
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
    problems = lints_worse_per_stage(original_document.text, candidate_document)
    if problems:
        raise Unsupported(f"the rendered candidate lints worse than the original with its safe fixes: {', '.join(problems)}")
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


def lints_worse_per_stage(original: str, candidate: Document) -> list[str]:
    """Warnings and errors a stage of the candidate has more of than the original with codi's safe fixes.

    A candidate replays the original's instructions, so it may keep the original's own findings (an unpinned
    `apt-get install` it carries into both stages); it must add none.
    """
    before = Counter(
        f.code
        for f in lint_text(fix_text(original, CANDIDATE_LINT), CANDIDATE_LINT).findings
        if f.severity in (Severity.WARNING, Severity.ERROR)
    )
    starts = [instr.line for instr in candidate.instructions if instr.keyword == "FROM"]
    per_stage: dict[int, Counter[str]] = {}
    located: dict[tuple[int, str], list[int]] = {}
    for finding in lint_text(candidate.text, CANDIDATE_LINT).findings:
        if finding.severity not in (Severity.WARNING, Severity.ERROR):
            continue
        stage = sum(1 for line in starts if line <= finding.span.line)
        per_stage.setdefault(stage, Counter())[finding.code] += 1
        located.setdefault((stage, finding.code), []).append(finding.span.line)
    return sorted(
        f"{code} line {located[(stage, code)][0]}"
        for stage, counts in per_stage.items()
        for code, count in counts.items()
        if count > before[code]
    )


def _runtime_image(original: Original, stack: str, strategy: Strategy) -> str:
    """The runtime stage's base from the original's own tag family (`codi/pipeline/optimize/images.py`)."""
    runtime = runtime_image(original.base, stack, strategy, cgo=stack == "go" and not _static_go(original))
    if runtime is None:
        raise Unsupported(
            f"no {strategy} runtime image for {original.base}: the official images publish none for its "
            "repository, version or distribution (docs/runtime-images.md)"
        )
    if runtime.startswith("gcr.io/distroless/") and ":" not in runtime.rsplit("/", 1)[-1]:
        runtime += ":nonroot"
    return runtime


def _static_go(original: Original) -> bool:
    """Whether the Go build links no C library (`CGO_ENABLED=0` on the build or in an ENV/ARG)."""
    settings = [*original.carried, *original.builds]
    return any(re.search(r"\bCGO_ENABLED=[\"']?0\b", text) for text in settings)


@cache
def _template(name: str) -> jinja2.Template:
    return _templates().get_template(f"{name}.Dockerfile.j2")


@cache
def _templates() -> jinja2.Environment:
    folder = resources.files("codi.modules").joinpath("templates")
    return environment(jinja2.FunctionLoader(lambda name: folder.joinpath(name).read_text(encoding="utf-8")))


_PIP_ROOT = "/install"
"""Where the builder's pip installs (`--root`), for the runtime to copy `/install/usr/local`."""


def _module_arguments(
    module: str, original: Original, rule: StrategyRule, family: str, context: dict[str, Any]
) -> dict[str, Any]:
    """Parameter values that come from the original (the catalog gives the rest)."""
    if module == "security":
        return {
            "shell": rule.runtime_shell,
            "family": family,
            "add_user": original.user is None,
            "writable": context["writable"],
        }
    if module == "healthcheck":
        return {"tool": rule.healthcheck_tool, "port": original.port, "original": original.healthcheck is not None}
    if module == "deps-python":
        # the installer's own upgrade stays in the builder: the runtime keeps its base's pip, and copies only
        # the application's packages
        installs = original.dependency_installs or (PipInstall("-r requirements.txt", False),)
        return {
            "command": " && ".join(
                f"pip install {install.arguments}" if install.upgrades_pip
                else f"pip install --root={_PIP_ROOT} {install.arguments}"
                for install in installs
            )
        }
    if module == "deps-go":
        return {"command": context["go_build"]}
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


@dataclass
class _Emitter:
    """Writes steps into one stage, switching WORKDIR where a step ran somewhere else."""

    workdirs: frozenset[str]
    runtime: bool
    chown: str
    """`--chown=…` for copies into the application's folders in the runtime ("" when none is added)."""
    shell: bool = True
    """Whether the stage's image has a shell; without one a RUN that only makes directories is WORKDIRs."""
    current: str | None = None
    lines: list[str] = field(default_factory=list)

    def emit(self, steps: list[Step] | tuple[Step, ...]) -> list[str]:
        out: list[str] = []
        for step in steps:
            made = None if self.shell else made_directories(step)
            if made:
                out.extend(f"WORKDIR {path}" for path in made)
                self.current = made[-1]
                continue
            copy = _runtime_copy(step, self.workdirs, self.chown) if self.runtime else None
            if copy is not None:
                out.append(copy)
                continue
            if step.kind != "user" and step.workdir is not None and step.workdir != self.current:
                out.append(f"WORKDIR {step.workdir}")
                self.current = step.workdir
            out.append(step.text)
        return out

    def enter(self, workdir: str | None) -> list[str]:
        if workdir is None or workdir == self.current:
            return []
        self.current = workdir
        return [f"WORKDIR {workdir}"]


def made_directories(step: Step) -> list[str] | None:
    """The absolute directories a RUN that only runs `mkdir [-p] DIR…` makes, else None: a stage without a
    shell makes them with WORKDIR (root-owned, as mkdir makes them)."""
    instr = step.instruction
    if instr is None or instr.keyword != "RUN" or instr.heredocs or instr.flags or (step.workdir or "/").startswith("$"):
        return None
    commands = [cmd for cmd in run_commands(instr) if cmd.name != "set"]
    paths: list[str] = []
    for cmd in commands:
        if cmd.name != "mkdir" or any(word.startswith("-") and word not in ("-p", "--parents") for word in cmd.values):
            return None
        operands = [word for word in cmd.values if not word.startswith("-")]
        if not operands or any(_GLOB_CHARS.search(word) or "$" in word or "~" in word for word in operands):
            return None
        paths.extend(posixpath.normpath(posixpath.join(step.workdir or "/", word)) for word in operands)
    return paths or None


def _runtime_copy(step: Step, workdirs: frozenset[str], chown: str) -> str | None:
    """A COPY/ADD written with an absolute destination (so that no WORKDIR has to create the application's
    folder before it, root-owned), with `chown` when it copies into one of the original's WORKDIRs."""
    instr = step.instruction
    if instr is None or instr.keyword not in ("COPY", "ADD") or instr.heredocs:
        return None
    values = argument_values(instr)
    if len(values) < 2 or "$" in values[-1] or (step.workdir or "/").startswith("$"):
        return None
    written = values[-1]
    path = posixpath.normpath(posixpath.join(step.workdir or "/", written))
    into = written.endswith(("/", "/.")) or written in (".", "..") or len(values) > 2 or path in workdirs
    destination = path.rstrip("/") + "/" if into else path
    flags = [_flag_text(flag) for flag in instr.flags]
    mine = step.kind in ("manifest", "app") and instr.flag("chown") is None and instr.flag("from") is None
    if chown and mine and any(within(path, workdir) for workdir in workdirs if workdir != "/"):
        flags.insert(0, chown)
    if instr.exec_form is not None:
        sources = [json.dumps(value) for value in values[:-1]]
    else:
        sources = [word.raw for word in instr.words[:-1]]
    return " ".join([instr.keyword, *flags, *sources, destination])


def _flag_text(flag: Any) -> str:
    return f"--{flag.name}={flag.value}" if flag.value is not None else f"--{flag.name}"


def _template_context(
    original: Original,
    stack: StackReport,
    strategy: Strategy,
    runtime: str,
    family: str,
    rule: StrategyRule,
    start: StartCommand,
    context_files: ContextFiles | None,
) -> dict[str, Any]:
    """The variables every template gets (and fragments with them): each stage's lines, in order."""
    name = stack.stack
    changes: list[Change] = []
    if not rule.runtime_shell and original.user is not None:
        original = _numeric_user(original, name, runtime, changes)
    at = original.index("dependency")
    last = original.last_build
    node_builds = name == "node" and last is not None and at is not None and last > at
    if name in _RECOPY and (at is None or original.dependency is None):
        raise Unsupported("no dependency install step: a builder stage would have nothing to do")
    tool = dependency_step(original.dependency) if original.dependency is not None else None
    if name == "python" and tool is not None and tool.name != "pip":
        raise Unsupported(
            f"dependencies are installed by {tool.name}: codi's python templates install pip requirements"
        )
    if name in ("java", "rust") and original.dependency is None:
        raise Unsupported(f"no {name} build tool codi knows (maven, gradle, cargo) builds the application")
    if name in _COMPILED and last is None:
        raise Unsupported(f"no {name} build step found: nothing to copy from a builder stage")
    if original.entrypoint is None and original.cmd is None and not _same_repository(original.base, runtime, name):
        raise Unsupported(
            f"the original has no CMD or ENTRYPOINT: it runs {original.base}'s own, which {runtime} does not share"
        )
    changes[:0] = [
        Change("multi-stage", f"builder stage on {original.base}; runtime stage on {runtime}"),
        Change("base-image", f"runtime image {runtime} instead of {original.base}"),
    ]
    add_user = original.user is None
    workdirs = frozenset(step.workdir for step in original.steps if step.workdir and not step.workdir.startswith("$"))
    if original.final_workdir and not original.final_workdir.startswith("$"):
        workdirs |= {original.final_workdir}
    chown = f"--chown={_RUNTIME_UID}" if add_user else ""
    builder = _Emitter(workdirs, runtime=False, chown="")
    runtime_stage = _Emitter(workdirs, runtime=True, chown=chown, shell=rule.runtime_shell)
    steps = original.steps
    carried_runs: list[tuple[Step, str]] = []
    if name in _COMPILED:
        builder_lines, builder_after, runtime_before, runtime_after, go_build = _compiled_layout(
            original, builder, runtime_stage, name, carried_runs
        )
    else:
        assert at is not None
        before = list(steps[:at])
        first_app = next((i for i, step in enumerate(before) if step.kind == "app"), len(before))
        if original.dependency_needs_sources:
            pre = [step for step in before if step.kind != "user"]
            moved: list[Step] = []
        else:
            pre = [s for i, s in enumerate(before) if s.kind == "manifest" or (s.kind == "other" and i < first_app)]
            moved = [s for i, s in enumerate(before) if s.kind == "app" or (s.kind == "other" and i > first_app)]
        builder_lines = builder.emit(pre)
        derived = _builder_manifest_copies(original, context_files)
        builder_lines += builder.enter(original.dependency_workdir) + derived
        go_build = ""
        carried_runs.extend((s, "builder and runtime") for s in pre if s.kind == "other")
        if node_builds:
            assert last is not None
            builder_after = builder.emit([*moved, *steps[at + 1 : last + 1]])
            system = [s for s in pre if s.kind == "other"]
            runtime_before = runtime_stage.emit(system)
            runtime_after = runtime_stage.emit(steps[last + 1 :])
            carried_runs.extend((s, "builder") for s in [*moved, *steps[at + 1 : last + 1]] if s.kind == "other")
            carried_runs.extend((s, "runtime") for s in steps[last + 1 :] if s.kind in ("other", "build"))
        else:
            builder_after = []
            runtime_before = runtime_stage.emit(before)
            runtime_after = _written_locks(original, chown, context_files, changes) + runtime_stage.emit(steps[at + 1 :])
            carried_runs.extend((s, "runtime") for s in (*moved, *steps[at + 1 :]) if s.kind in ("other", "build"))
    final = [] if original.final_workdir is None else runtime_stage.enter(original.final_workdir)
    runtime_steps = _runtime_steps(original, name, node_builds)
    runtime_packages = _runtime_packages(original, runtime_steps, runtime, rule.runtime_shell, changes)
    if not rule.runtime_shell:
        runs = [s for s in runtime_steps if s.kind in ("other", "build") and (s.instruction is None or s.instruction.keyword == "RUN")]
        needs_shell = [s for s in runs if made_directories(s) is None]
        if needs_shell:
            raise Unsupported(
                f"line {needs_shell[0].line}: a RUN the runtime stage needs, and {runtime} has no shell to run it"
            )
        if runs and original.final_workdir is None:
            raise Unsupported(
                f"line {runs[0].line}: {runtime} has no shell, and the WORKDIR that would make its directories "
                "would change the directory the program starts in (the original sets none)"
            )
        for step in runs:
            changes.append(
                Change("directories", f"line {step.line}: `{_summary(step.text)}` is WORKDIR in {runtime}, which has no shell to run mkdir")
            )
        # a carried mkdir runs in the builder only; the runtime's WORKDIRs are said above
        carried_runs = [
            (s, "builder") if s in runs else (s, where) for s, where in carried_runs if s not in runs or where != "runtime"
        ]
        if original.healthcheck is not None and "CMD [" not in original.healthcheck and "NONE" not in original.healthcheck:
            raise Unsupported(f"the original's shell-form HEALTHCHECK needs a shell, which {runtime} does not have")
    for step, where in carried_runs:
        changes.append(
            Change(
                "carried",
                f"line {step.line}: `{_summary(step.text)}` is carried into the {where} stage as the original runs it"
                " (codi cannot tell what it needs, so it runs where the original's later steps can see its effect)",
            )
        )
    entrypoint, cmd = _start_for_runtime(original, name, strategy, runtime, start, changes)
    artefacts = [
        replace(artefact, chown=chown if any(within(artefact.target, w) for w in workdirs if w != "/") else "")
        for artefact in (_artefacts(original, name, entrypoint, cmd, start) if name in _COMPILED else [])
    ]
    runtime_files = _runtime_files(original, name, context_files, runtime_stage, changes) if name in _COMPILED else []
    if add_user and chown and original.final_workdir not in (None, "/"):
        changes.append(
            Change("ownership", f"the application's files under {original.final_workdir} belong to the non-root user, so it can write there as the original could")
        )
    return {
        "stack": name,
        "strategy": strategy,
        "builder_image": original.base,
        "runtime_image": runtime,
        "family": family,
        "runtime_shell": rule.runtime_shell,
        "builder_carried": [line for line in original.carried if line.split(" ", 1)[0] in _BUILDER_CARRIED],
        "builder_packages": [text for group in original.packages for text in group.texts],
        "builder_lines": builder_lines,
        "builder_after": builder_after,
        "runtime_carried": [*original.carried, *original.onbuild],
        "runtime_packages": runtime_packages,
        "runtime_before": runtime_before,
        "runtime_after": runtime_after,
        "runtime_files": runtime_files,
        "final_workdir": final,
        "dependency_workdir": (original.dependency_workdir or "/").rstrip("/") or "/",
        "node_builds": node_builds,
        "chown": chown,
        "writable": original.final_workdir if add_user and original.final_workdir not in (None, "/") else None,
        "artefacts": artefacts,
        "go_build": go_build,
        "python_version": _python_version(runtime),
        "healthcheck": original.healthcheck,
        "entrypoint": json.dumps(list(entrypoint)) if entrypoint is not None else None,
        "cmd": json.dumps(list(cmd)) if cmd is not None else None,
        "changes": changes,
    }


_IMAGE_ACCOUNTS = {("node", "node"): "1000:1000"}
"""(stack, user) → the UID:GID of an account the official images create (node's `node`)."""


_LOCK_WRITERS = frozenset({"npm", "yarn", "pnpm", "bundler"})
"""Dependency tools whose install writes the lock file (their second manifest) beside the first when it
is missing, or updates it."""
_LOCK_KEPT = frozenset({"--no-package-lock", "--frozen-lockfile", "--pure-lockfile", "--no-lockfile", "--immutable", "--frozen", "--deployment"})
"""Flags with which those installs leave the lock file as it is (or write none)."""


def _written_locks(
    original: Original, chown: str, context_files: ContextFiles | None, changes: list[Change]
) -> list[str]:
    """The lock file the dependency install writes in its folder when the original copies none there before
    it (`COPY package.json .` then `npm install`), copied from the builder: the runtime's folder is then as
    the original's after the install (the later copies of the original's own files are replayed after it)."""
    cmd = original.dependency
    tool = dependency_step(cmd) if cmd is not None else None
    if cmd is None or tool is None or tool.name not in _LOCK_WRITERS or "ci" in cmd.args_no_flags():
        return []
    if any(word.split("=", 1)[0] in _LOCK_KEPT for word in cmd.values):
        return []
    if _copied_before_install(original, tool.manifests[1], context_files):
        return []
    lock = posixpath.join(original.dependency_workdir or "/", tool.manifests[1])
    changes.append(Change("lock-file", f"{lock}, which `{original.dependency_text}` writes, comes from the builder with the dependencies"))
    return [f"COPY --from=builder {chown + ' ' if chown else ''}{lock} {lock}"]


def _copied_before_install(original: Original, name: str, context_files: ContextFiles | None) -> bool:
    """Whether a COPY before the dependency install puts the file `name` into the install's folder: a source
    naming it, or a directory or glob that holds it in the build context (when the context is unknown, any
    directory or matching glob counts)."""
    at = original.index("dependency")
    folder = original.dependency_workdir or "/"
    files = None if context_files is None else {posixpath.normpath(path) for path in context_files}
    for step in original.steps[:at]:
        if step.kind not in ("manifest", "app") or step.instruction is None:
            continue
        values = argument_values(step.instruction)
        if len(values) < 2 or posixpath.normpath(posixpath.join(step.workdir or "/", values[-1])) != folder:
            continue
        for source in values[:-1]:
            if _is_directory(source):
                path = posixpath.normpath(posixpath.join(source, name))
            elif fnmatch.fnmatchcase(name, posixpath.basename(source)):
                path = posixpath.normpath(posixpath.join(posixpath.dirname(source), name))
            else:
                continue
            if files is None or path in files:
                return True
    return False


def _numeric_user(original: Original, stack: str, runtime: str, changes: list[Change]) -> Original:
    """The original with its named USER as the numeric account it is in the official images: a distroless
    runtime has no such name in /etc/passwd."""
    names = {step.text.split(" ", 1)[1].strip() for step in original.steps if step.kind == "user"}
    if all(re.fullmatch(r"\d+(:\d+)?", name) for name in names):
        return original
    mapping: dict[str, str] = {}
    for name in names:
        account = _IMAGE_ACCOUNTS.get((stack, name.split(":", 1)[0]))
        if account is None and not re.fullmatch(r"\d+(:\d+)?", name):
            raise Unsupported(f"the original runs as USER {name}, an account {runtime} does not have")
        if account is not None:
            mapping[name] = account
            changes.append(Change("user", f"USER {name} is {account}, its UID:GID in the {stack} images ({runtime} has no account named {name})"))
    steps = tuple(
        replace(step, text=f"USER {mapping[step.text.split(' ', 1)[1].strip()]}", instruction=None)
        if step.kind == "user" and step.text.split(" ", 1)[1].strip() in mapping
        else step
        for step in original.steps
    )
    user = mapping.get(original.user or "", original.user)
    return replace(original, steps=steps, user=user)


def _same_repository(base: str, runtime: str, stack: str) -> bool:
    """Whether the runtime is a variant of the base's own official repository (`python:3.11` and
    `python:3.11-slim` start the same interpreter by default)."""
    return stack in _RECOPY and parse_image(base).name == parse_image(runtime).name


def _python_version(runtime: str) -> str:
    """The Python of a distroless python3 runtime (its Debian release decides it), else the default's."""
    release = re.search(r"debian(\d+)", runtime)
    return DISTROLESS_PYTHON.get(release.group(1) if release else "12", "3.11")


def _summary(text: str) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= 60 else first[:57] + "…"


def _compiled_layout(
    original: Original, builder: _Emitter, runtime: _Emitter, stack: str, carried: list[tuple[Step, str]]
) -> tuple[list[str], list[str], list[str], list[str], str]:
    """A compiled stack's stages: the builder replays the original up to its last build step (Go's module
    download and build in one RUN with both caches mounted), the runtime the steps after it."""
    steps = original.steps
    last = original.last_build
    assert last is not None
    after_build = list(steps[last + 1 :])
    carried.extend((s, "runtime") for s in after_build if s.kind in ("other", "build"))
    if stack == "go":
        first = next(i for i, step in enumerate(steps) if step.kind == "build")
        head = [_go_download(s) if s.kind == "dependency" else s for s in steps[:first] if s.kind != "user"]
        between = [s for s in steps[first : last + 1] if s.kind not in ("build", "dependency", "user")]
        carried.extend((s, "builder") for s in (*head, *between) if s.kind == "other")
        return (
            builder.emit(head) + builder.enter(steps[first].workdir),
            builder.emit(between),
            [],
            runtime.emit(after_build),
            " && ".join(original.builds),
        )
    at = original.index("dependency")
    assert at is not None
    head = [s for s in steps[:at] if s.kind != "user"]
    between = [s for s in steps[at + 1 : last + 1] if s.kind != "user"]
    carried.extend((s, "builder") for s in (*head, *between) if s.kind == "other")
    return builder.emit(head) + builder.enter(steps[at].workdir), builder.emit(between), [], runtime.emit(after_build), ""


def _go_download(step: Step) -> Step:
    """`go mod download` with the module cache mounted, the same cache the build mounts."""
    return replace(step, text=f"RUN --mount=type=cache,target={_GOMODCACHE} {step.text.removeprefix('RUN ')}")


_GOMODCACHE = "/go/pkg/mod"


def _runtime_steps(original: Original, stack: str, node_builds: bool) -> list[Step]:
    """The original's steps the runtime stage replays."""
    steps = original.steps
    last = original.last_build
    if stack in _COMPILED or node_builds:
        assert last is not None
        return list(steps[last + 1 :])
    return [step for step in steps if step.kind != "dependency"]


def _runtime_packages(
    original: Original, runtime_steps: list[Step], runtime: str, shell: bool, changes: list[Change]
) -> list[str]:
    """The runtime's OS package RUNs: without the build-only packages, unless a RUN of the runtime uses one."""
    programs = {program(cmd) for step in runtime_steps if step.kind in ("other", "build") for cmd in _step_commands(step)}
    left_out = {_bare(p) for group in original.packages for p in group.left_out}
    needed = programs & left_out
    lines: list[str] = []
    split: list[str] = []
    for group in original.packages:
        if needed:
            lines.extend(group.texts)
        else:
            lines.extend(group.runtime_texts)
            split.extend(group.left_out)
    if lines and not shell:
        raise Unsupported(f"{runtime} has no package manager for the OS packages the original installs")
    installed = {_bare(p) for line in lines for p in (_os_packages(parse_script(line.removeprefix("RUN "), exact=False).commands) or [])}
    missing = sorted((programs & _FULL_IMAGE_PROGRAMS) - installed)
    if missing:
        raise Unsupported(
            f"a RUN the runtime stage needs runs {', '.join(missing)}, which {runtime} does not have "
            f"(the original's {original.base} does)"
        )
    if split:
        changes.append(
            Change("toolchain", f"build-only OS packages ({', '.join(sorted(set(split)))}) are installed in the builder stage only")
        )
    return lines


def _step_commands(step: Step) -> tuple[Command, ...]:
    if step.instruction is None:
        return parse_script(step.text.removeprefix("RUN "), exact=False).commands
    return run_commands(step.instruction) if step.instruction.keyword == "RUN" else ()


_INTERPRETERS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("python", "minimal"): (("python", "python3", "python3.11"), "python3"),
    ("node", "minimal"): (("node", "nodejs"), "/nodejs/bin/node"),
}
"""Distroless runtimes name their interpreter differently: which start programs map to what."""


def _runtime_entrypoint(stack: str, strategy: Strategy) -> bool:
    """Whether the runtime image sets an ENTRYPOINT of its own (distroless python, node, java)."""
    return strategy == "minimal" and stack in ("python", "node", "java")


def _start_for_runtime(
    original: Original, stack: str, strategy: Strategy, runtime: str, start: StartCommand, changes: list[Change]
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """ENTRYPOINT and CMD the runtime runs: the original's, its wrapper resolved where the runtime lacks the
    wrapper (no npm or shell) or the original names its jar by a glob, the interpreter named as the
    runtime names it."""
    entrypoint, cmd = original.entrypoint, original.cmd
    argv = (*(entrypoint or ()), *(cmd or ()))
    interpreter = _INTERPRETERS.get((stack, strategy))
    globbed = stack == "java" and any(_GLOB_CHARS.search(word) for word in argv)
    wrapped = (interpreter is not None and argv and argv[0] not in interpreter[0]) or globbed or (
        stack == "java" and argv[:1] not in (("java",), ("/opt/java/openjdk/bin/java",))
    )
    if wrapped and start.resolved is not None and start.resolved != argv:
        resolved = start.resolved
        if stack == "java" and _GLOB_CHARS.search(resolved[-1]) and "-jar" in resolved:
            resolved = (*resolved[:-1], _fixed_name(resolved[-1]))
        changes.append(
            Change("start-command", f"`{' '.join(argv)}` hands over to `{' '.join(resolved)}`, which runs directly")
        )
        entrypoint, cmd = None, resolved
    if _runtime_entrypoint(stack, strategy) and entrypoint is None:
        entrypoint = ()
        changes.append(Change("entrypoint", f"ENTRYPOINT [] clears {runtime}'s own entry point, so CMD runs as before"))
    argv = (*(entrypoint or ()), *(cmd or ()))
    if interpreter is not None and argv and argv[0] in interpreter[0]:
        changes.append(Change("start-command", f"{argv[0]} is {interpreter[1]} in {runtime}"))
        if entrypoint:
            entrypoint = (interpreter[1], *entrypoint[1:])
        else:
            cmd = (interpreter[1], *(cmd or ())[1:])
    elif interpreter is not None and argv:
        raise Unsupported(f"the start command runs {argv[0]}, which {runtime} does not have (only {interpreter[1]})")
    return entrypoint, cmd


_GLOB_CHARS = re.compile(r"[*?\[]")


def _fixed_name(glob: str) -> str:
    """A path the glob matches (`target/*.jar` → `target/app.jar`): the one jar is copied to it."""
    folder, name = posixpath.split(glob)
    fixed = re.sub(r"\[[^\]]*\]", "a", name).replace("*", "app", 1).replace("*", "").replace("?", "a")
    return posixpath.join(folder, fixed)


@dataclass(frozen=True)
class Artefact:
    """A file the builder produces and the runtime needs, and where it goes."""

    source: str
    target: str
    chown: str = ""
    """`--chown=…` when it lands in the application's folder and the candidate adds a non-root user."""


def _artefacts(
    original: Original, stack: str, entrypoint: tuple[str, ...] | None, cmd: tuple[str, ...] | None, start: StartCommand
) -> list[Artefact]:
    """For compiled stacks, the built files the start command needs; `Unsupported` when unknown."""
    argv = [*(entrypoint or ()), *(cmd or ())]
    if not argv:
        raise Unsupported("the start command is empty")
    workdir = original.final_workdir or "/"
    if stack == "java":
        if "-jar" not in argv[:-1]:
            raise Unsupported("the start command does not run `java -jar FILE`: codi cannot tell which jar to copy")
        jar = argv[argv.index("-jar") + 1]
        if "$" in jar or _GLOB_CHARS.search(jar):
            raise Unsupported(f"the jar {jar} is a pattern or a variable: codi copies one known file")
        path = posixpath.normpath(posixpath.join(workdir, jar))
        globbed = [word for word in start.resolved or () if _GLOB_CHARS.search(word) and _fixed_name(word) == jar]
        source = posixpath.normpath(posixpath.join(workdir, globbed[0])) if globbed else path
        return [Artefact(source, path)]
    program_path = argv[0]
    if "/" in program_path:
        path = posixpath.normpath(posixpath.join(workdir, program_path))
        return [Artefact(path, path)]
    build_workdir = next((s.workdir for s in reversed(original.steps) if s.kind in ("build", "dependency")), None)
    for command in original.build_commands:
        output = command.flag_args("o")
        if output and posixpath.basename(output[0]) == program_path:
            built = posixpath.normpath(posixpath.join(build_workdir or "/", output[0]))
            return [Artefact(built, posixpath.join("/usr/local/bin", program_path))]
        if program(command) == "cargo" and command.has_args("install"):
            return [Artefact(f"/usr/local/cargo/bin/{program_path}", f"/usr/local/bin/{program_path}")]
    raise Unsupported(f"codi cannot tell which file the build writes for the start program {program_path}")


_SOURCE_FILE = re.compile(
    r"(?i)\.(go|rs|java|kt|kts|scala|groovy|c|h|cc|cpp|hpp|md|rst)$|^(go\.(mod|sum|work)|cargo\.(toml|lock)|pom\.xml"
    r"|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|gradle\.properties|gradlew(\.bat)?|mvnw(\.cmd)?|makefile"
    r"|dockerfile.*|\.dockerignore|\.git\w*|readme.*|license.*|changelog.*|\.editorconfig)$"
)
"""Files a compiled program is built from (or documentation): the runtime does without them."""
_SOURCE_DIRECTORIES = frozenset({".git", ".github", ".mvn", "gradle", "target", "build", ".gradle", "vendor"})
_JVM_SOURCES = frozenset({"src"})
"""Java and Rust sources live under src/ (Java's resources are packed into the jar)."""


def _runtime_files(
    original: Original, stack: str, context_files: ContextFiles | None, runtime: _Emitter, changes: list[Change]
) -> list[str]:
    """The files a compiled program may read at run time: what the original copied besides its sources
    (`static/`, `templates/`, config files), copied into the runtime where the original put them.

    With the build context known, a whole-directory copy contributes its entries that are not sources;
    without it, such a copy is carried into the runtime whole (codi cannot tell what is in it).
    """
    last = original.last_build
    assert last is not None
    skipped_dirs = _SOURCE_DIRECTORIES | (_JVM_SOURCES if stack in ("java", "rust") else frozenset())
    files = None if context_files is None else sorted(posixpath.normpath(path) for path in context_files)
    lines: list[str] = []
    for step in original.steps[: last + 1]:
        instr = step.instruction
        if step.kind not in ("app", "manifest") or instr is None or instr.keyword not in ("COPY", "ADD"):
            continue
        values = argument_values(instr)
        if len(values) < 2 or "$" in values[-1]:
            continue
        destination = posixpath.normpath(posixpath.join(step.workdir or "/", values[-1]))
        into = values[-1].endswith(("/", ".")) or len(values) > 2 or destination in runtime.workdirs
        for source in values[:-1]:
            clean = posixpath.normpath(source.lstrip("/"))
            clean = "" if clean == "." else clean
            base = posixpath.basename(clean)
            if base in skipped_dirs or "://" in source:
                continue
            is_directory = clean == "" or source.endswith("/") or (
                files is not None and any(path.startswith(clean + "/") for path in files)
            )
            target = posixpath.join(destination, base) if into and not is_directory and base else destination
            if not is_directory:
                if not _SOURCE_FILE.search(base):
                    lines.append(_context_copy(clean, target, runtime.chown, runtime.workdirs, False))
                continue
            if files is None:
                if clean == "":
                    lines.append(_context_copy(".", destination, runtime.chown, runtime.workdirs, True))
                    changes.append(
                        Change(
                            "runtime-files",
                            f"line {step.line}: the original's files copied to {destination} are copied into the "
                            "runtime too (codi does not know the build context, so it cannot tell which the "
                            "program reads at run time)",
                        )
                    )
                elif not _all_sources_name(base):
                    lines.append(_context_copy(clean, destination, runtime.chown, runtime.workdirs, True))
                continue
            for entry, entry_is_directory in _entries(files, clean):
                if entry in skipped_dirs or (not entry_is_directory and _SOURCE_FILE.search(entry)):
                    continue
                inner = [p for p in files if p.startswith(posixpath.join(clean, entry) + "/")] if entry_is_directory else []
                if entry_is_directory and inner and all(_SOURCE_FILE.search(posixpath.basename(p)) for p in inner):
                    continue
                lines.append(
                    _context_copy(
                        posixpath.join(clean, entry) if clean else entry,
                        posixpath.join(destination, entry),
                        runtime.chown,
                        runtime.workdirs,
                        entry_is_directory,
                    )
                )
    if lines and not any(change.kind == "runtime-files" for change in changes):
        changes.append(Change("runtime-files", "the files the original copied besides the sources are in the runtime too, where the program may read them"))
    return lines


def _all_sources_name(name: str) -> bool:
    return name in ("cmd", "internal", "pkg", "src")


def _entries(files: list[str], folder: str) -> list[tuple[str, bool]]:
    """The top-level entries of `folder` in the context: (name, whether it is a directory)."""
    prefix = folder + "/" if folder else ""
    out: dict[str, bool] = {}
    for path in files:
        if not path.startswith(prefix):
            continue
        rest = path[len(prefix) :]
        head, _, tail = rest.partition("/")
        out[head] = out.get(head, False) or bool(tail)
    return sorted(out.items())


def _context_copy(source: str, destination: str, chown: str, workdirs: frozenset[str], directory: bool) -> str:
    flag = f"{chown} " if chown and any(within(destination, w) for w in workdirs if w != "/") else ""
    target = destination.rstrip("/") + "/" if directory else destination
    return f"COPY {flag}{source} {target}"
