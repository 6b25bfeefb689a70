"""The container's start command as Docker runs it, and what is wrong with it at start-up.

`analyze_start` follows the runtime stage and the stages it is built FROM in
this file, as Docker does: an ENTRYPOINT resets the CMD inherited until then;
a shell-form ENTRYPOINT runs under the stage's SHELL and ignores CMD; an
exec-form ENTRYPOINT gets the CMD appended. A base image's own ENTRYPOINT/CMD
is not known here: with neither in the file the argv is None.

A shell-form command converts to exec form when DL3025's test
(`exec_conversion_blocker`) says its words mean the same without a shell;
otherwise `why_not_exec` says what needs the shell.

Problems reported (plain sentences, sorted, deduplicated):
- PID 1: a shell (`sh -c`, shell form, a script) that runs several commands
  and does not `exec` the last one stays PID 1 and does not forward SIGTERM;
  an entry point script without any `exec` of its final process (`exec "$@"`);
  a shell-form ENTRYPOINT silently drops CMD and `docker run` arguments;
- start-up installs and downloads (`apt-get install`, `apk add`, `pip install`,
  `npm install`, `gem install`, `curl`/`wget` of a remote URL) in the start
  command or in a script it runs.

A wrapper that only hands over to one program is resolved (`resolved`):
`npm start`, `npm run NAME`, `yarn start` through package.json's script when
it is a plain `node FILE …` or runs a dependency's command of the package's
name (`http-server public` → `node node_modules/.bin/http-server public`), `sh -c 'one command'` (such as
`java -jar target/*.jar`, whose glob is kept for the candidate to resolve),
and a Python package's console script (`gunicorn …` → `python -m gunicorn …`).

Scripts are found where the build puts them: a `COPY <<EOF` heredoc, or a
file COPY/ADD takes from the build context (the container path is mapped
back through the COPY's destination, its sources and the WORKDIR), read from
`context_files` when the caller gives them.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from codi.pipeline.model import Document, Instruction
from codi.pipeline.optimize.model import StartCommand
from codi.pipeline.semantic import SemanticModel, Stage, expand
from codi.pipeline.shell import Command, ShellScript, parse_script
from codi.pipeline.optimize.stack import effective_start, program_name
from codi.knowledge.arguments import argument_values, exec_conversion_blocker
from codi.knowledge.packages import manager_of, verb_of
from codi.knowledge.stacks import program
from codi.knowledge.stages import image_stages

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
_WRAPPERS = frozenset({"tini", "dumb-init", "catatonit"})
_USER_SWITCHERS = frozenset({"gosu", "su-exec", "s6-setuidgid", "chpst"})
_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "0.0.0.0")
_LANGUAGE_INSTALLS: dict[str, frozenset[str]] = {
    "npm": frozenset({"install", "i", "ci", "add"}),
    "yarn": frozenset({"install", "add"}),
    "pnpm": frozenset({"install", "i", "add"}),
    "gem": frozenset({"install"}),
    "bundle": frozenset({"install"}),
    "composer": frozenset({"install", "require", "update"}),
    "go": frozenset({"get", "install"}),
    "cargo": frozenset({"install"}),
}
_MAX_SCRIPT_DEPTH = 3


@dataclass(frozen=True, slots=True)
class _Copied:
    """Where a COPY/ADD put build-context files: its sources (context paths) and container destination."""

    sources: tuple[str, ...]
    destination: str
    heredoc: str | None = None
    """The script text of a `COPY <<EOF` heredoc, written to `destination`."""


def analyze_start(document: Document, context_files: Mapping[str, str] | None = None) -> StartCommand:
    """The effective ENTRYPOINT + CMD of the runtime stage, its exec form, and its start-up problems."""
    model = SemanticModel(document)
    chain = image_stages(model)
    entrypoint, cmd = effective_start(chain)
    if entrypoint is None and cmd is None:
        return StartCommand(None, False, None, None)
    problems: list[str] = []
    if entrypoint is not None and entrypoint.exec_form is None and cmd is not None:
        problems.append(
            f"the shell-form ENTRYPOINT (line {entrypoint.line}) ignores CMD (line {cmd.line}) "
            "and `docker run` arguments"
        )
    shown = (entrypoint, None) if entrypoint is not None and entrypoint.exec_form is None else (entrypoint, cmd)
    parts = [instr for instr in shown if instr is not None]
    argv: list[str] = []
    converted: list[str] | None = []
    why_not: str | None = None
    for instr in parts:
        if instr.exec_form is not None:
            argv.extend(instr.exec_form)
            if converted is not None:
                converted.extend(instr.exec_form)
            continue
        shell = model.shell_at(instr)
        argv.extend([*shell, instr.args.strip()])
        blocker = exec_conversion_blocker(instr, instr.words, shell)
        if blocker is None and converted is not None:
            converted.extend(word.value for word in instr.words)
        else:
            why_not = why_not or f"{instr.keyword} (line {instr.line}): {blocker}"
            converted = None
    shell_form = any(instr.exec_form is None for instr in parts)
    copied, workdir = _copied_files(model, chain)
    files = _ScriptFiles(copied, workdir, context_files or {})
    problems.extend(files.argv_problems(tuple(argv)))
    package_json = _script_text("./package.json", copied, workdir, context_files or {})
    exec_argv = tuple(converted) if shell_form and converted is not None else None if shell_form else tuple(argv)
    return StartCommand(
        argv=tuple(argv),
        shell_form=shell_form,
        exec_conversion=tuple(converted) if shell_form and converted is not None else None,
        why_not_exec=why_not if shell_form else None,
        problems=tuple(sorted(set(problems))),
        scripts=tuple(sorted(set(files.read))),
        resolved=resolve_start(exec_argv, package_json[1] if package_json else None),
    )


_SHELL_SYNTAX = re.compile(r"[$|;&<>`()\\\n{}~]")
_GLOB = re.compile(r"[*?\[]")
_NODE_SCRIPT_RUNNERS = {"npm": ("start", "run", "run-script"), "yarn": ("start", "run"), "pnpm": ("start", "run")}


def resolve_start(argv: tuple[str, ...] | None, package_json: str | None) -> tuple[str, ...] | None:
    """The argv a wrapper start command hands over to, or None when it is not a wrapper or cannot be told.

    `sh -c 'java -jar target/*.jar'` → `java -jar target/*.jar` (one command and no shell syntax but a
    glob); `npm start` / `npm run dev` / `yarn start` → the package.json script when it is `node …` or a
    dependency's command, with plain words (`package_json` is the file's text, when known);
    `gunicorn app:app` → `python -m gunicorn app:app`.
    """
    if not argv:
        return None
    words = list(argv)
    unwrapped = False
    if len(words) == 3 and program_name(words[0]) in _SHELLS and words[1] == "-c":
        inner = _plain_words(words[2], globs=True)
        if inner is None:
            return None
        words, unwrapped = inner, True
    script = _node_script(words, package_json)
    if script is not None:
        return script
    module = _PYTHON_MODULE_SCRIPTS.get(words[0])
    if module is not None:
        return ("python", "-m", module, *words[1:])
    return tuple(words) if unwrapped else None


_PYTHON_MODULE_SCRIPTS = {
    "gunicorn": "gunicorn",
    "uvicorn": "uvicorn",
    "hypercorn": "hypercorn",
    "flask": "flask",
    "celery": "celery",
    "django-admin": "django",
}
"""Console scripts pip installs that only import their package and call its entry point, as `python -m
MODULE` does (each package has a `__main__` that calls the same): a runtime whose interpreter is not the
scripts' shebang (distroless python3) runs them that way."""


def _plain_words(script: str, *, globs: bool) -> list[str] | None:
    """The words of a script that is one command with no shell syntax (globs too when `globs`), else None."""
    if _SHELL_SYNTAX.search(script) or (not globs and _GLOB.search(script)):
        return None
    try:
        words = shlex.split(script)
    except ValueError:
        return None
    if words[:1] == ["exec"]:
        words = words[1:]
    return words or None


def _node_script(words: list[str], package_json: str | None) -> tuple[str, ...] | None:
    """`npm start` and the like, resolved through package.json's `scripts` to a plain `node FILE …`."""
    runner = program_name(words[0])
    verbs = _NODE_SCRIPT_RUNNERS.get(runner)
    if verbs is None or package_json is None or len(words) < 2:
        return None
    if words[1] == "start" and len(words) == 2:
        name = "start"
    elif words[1] in verbs[1:] and len(words) == 3:
        name = words[2]
    elif runner == "yarn" and len(words) == 2:
        name = words[1]
    else:
        return None
    try:
        manifest = json.loads(package_json)
        scripts = manifest.get("scripts") or {}
        dependencies = manifest.get("dependencies") or {}
    except (ValueError, AttributeError):
        return None
    text = scripts.get(name) if isinstance(scripts, dict) else None
    inner = _plain_words(text, globs=False) if isinstance(text, str) else None
    if inner is None:
        return None
    if program_name(inner[0]) in ("node", "nodejs") and len(inner) >= 2:
        return ("node", *inner[1:])
    if "/" not in inner[0] and isinstance(dependencies, dict) and inner[0] in dependencies:
        # npm runs a dependency's command from node_modules/.bin, a link to the package's JavaScript bin
        # (named after the package, as `http-server` or `serve` are); node follows the link
        return ("node", f"node_modules/.bin/{inner[0]}", *inner[1:])
    return None


@dataclass
class _ScriptFiles:
    """The script files the image holds (COPY/ADD from the context or a heredoc), and those read so far."""

    copied: list[_Copied]
    workdir: str
    context: Mapping[str, str]
    read: list[str] = field(default_factory=list)
    """Context paths of the scripts read and analysed."""

    def argv_problems(self, argv: tuple[str, ...]) -> Iterable[str]:
        """Problems of an exec argv: a shell wrapper's inline script, or the script file it starts."""
        words = list(argv)
        while words and (program_name(words[0]) in _WRAPPERS or words[0] in ("--", "-g", "-s")):
            words.pop(0)
        if words and program_name(words[0]) in _USER_SWITCHERS:
            words = words[2:]
        if not words:
            return
        if program_name(words[0]) in _SHELLS:
            inline = _inline_script(words[1:])
            if inline is not None:
                script = parse_script(inline, exact=False)
                yield from _script_problems(script, f"`{' '.join(words[:2])}`", is_file=False)
                yield from self.run_by(script, 1)
                return
            words = [word for word in words[1:] if not word.startswith("-")]
        if words:
            yield from self.file_problems(words[0], 1)

    def file_problems(self, path: str, depth: int) -> Iterable[str]:
        found = _script_text(path, self.copied, self.workdir, self.context)
        if found is None or not _is_shell_script(found[1]):
            return
        origin, text = found
        if origin is not None:
            self.read.append(origin)
        script = parse_script(text, exact=False)
        yield from _script_problems(script, f"script {origin or path}", is_file=True)
        yield from self.run_by(script, depth + 1)

    def run_by(self, script: ShellScript, depth: int) -> Iterable[str]:
        """Problems of the script files a script runs (`/docker-entrypoint.d/setup.sh`, `. ./env.sh`)."""
        if depth > _MAX_SCRIPT_DEPTH:
            return
        for cmd in script.commands:
            target = cmd.name
            if program_name(target) in _SHELLS or cmd.name in (".", "source", "exec"):
                operands = [word for word in cmd.values if not word.startswith("-")]
                target = operands[0] if operands else ""
            if target.endswith(".sh") or target.startswith(("/", "./")):
                yield from self.file_problems(target, depth)


def _inline_script(args: list[str]) -> str | None:
    """The script of `sh -c 'script'` (also `-ec`, `-xc`), or None when the shell runs a file."""
    for index, arg in enumerate(args):
        if arg.startswith("-") and not arg.startswith("--") and "c" in arg[1:]:
            return args[index + 1] if index + 1 < len(args) else ""
        if not arg.startswith("-"):
            return None
    return None


def _script_problems(script: ShellScript, where: str, is_file: bool) -> Iterable[str]:
    """A shell that runs several commands and does not hand PID 1 over; start-up installs and downloads."""
    top = _top_level(script)
    if len(top) > 1 and not _hands_over(script):
        if is_file:
            what = 'does not `exec` its final process (`exec "$@"`)'
        else:
            what = f"runs several commands and does not `exec` the last (`{max(top, key=lambda c: c.start).name}`)"
        yield f"{where} {what}: the shell stays PID 1 and does not forward SIGTERM"
    for cmd in script.commands:
        what = runtime_install(cmd)
        if what is not None:
            yield f"{where} {what} at every start"


def runtime_install(cmd: Command) -> str | None:
    """What a command installs or downloads (`installs OS packages with apt-get`), or None."""
    manager = manager_of(cmd)
    if manager is not None and verb_of(cmd, manager) in manager.install:
        return f"installs OS packages with {cmd.name}"
    if cmd.is_pip_install():
        return "installs Python packages with pip"
    verbs = _LANGUAGE_INSTALLS.get(program(cmd))
    if verbs is not None and any(word in verbs for word in cmd.args_no_flags()[:1]):
        return f"installs packages with {program(cmd)}"
    if program(cmd) in ("curl", "wget") and any(_is_remote_url(word) for word in cmd.values):
        return f"downloads with {program(cmd)}"
    return None


def _is_remote_url(word: str) -> bool:
    if "://" not in word:
        return False
    host = word.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    return not host.startswith(_LOCAL_HOSTS) and not host.startswith("$")


def _top_level(script: ShellScript) -> list[Command]:
    """The steps of the script's top-level `&&`/`;` chain (what runs one after another in the shell itself)."""
    return [cmd for cmd in script.commands if cmd.top_level_step]


def _hands_over(script: ShellScript) -> bool:
    """Whether the script `exec`s a program somewhere or deliberately supervises (`trap`, `wait`)."""
    if script.using("trap"):
        return True
    if any(cmd.name == "exec" and cmd.args for cmd in script.commands):
        return True
    top = _top_level(script)
    return bool(top) and max(top, key=lambda c: c.start).name == "wait"


def _is_shell_script(text: str) -> bool:
    first = text.split("\n", 1)[0]
    if not first.startswith("#!"):
        return True
    return program_name(first[2:].split()[-1] if first[2:].split() else "") in _SHELLS


def _script_text(
    path: str, copied: list[_Copied], workdir: str, context: Mapping[str, str]
) -> tuple[str | None, str] | None:
    """(context path or None for a heredoc, text) of the file a container path names, when known."""
    if "$" in path:
        return None
    candidates = [posixpath.normpath(posixpath.join(workdir, path))] if "/" in path else [
        posixpath.join(directory, path) for directory in _PATH_DIRS
    ]
    for container_path in candidates:
        for copy in reversed(copied):
            if copy.heredoc is not None:
                if copy.destination == container_path:
                    return None, copy.heredoc
                continue
            origin = _context_path(copy, container_path, context)
            if origin is not None:
                return origin, context[origin]
    return None


def _context_path(copy: _Copied, container_path: str, context: Mapping[str, str]) -> str | None:
    """The build-context file a COPY put at `container_path`, if it did."""
    destination = copy.destination
    single = len(copy.sources) == 1
    for source in copy.sources:
        source = _normal(source)
        if container_path == destination and single and source in context:
            return source
        if not (container_path.startswith(destination.rstrip("/") + "/") or destination == "/"):
            continue
        relative = container_path[len(destination.rstrip("/")) + 1 :]
        inside = _normal(posixpath.join(source, relative)) if source else relative
        if inside in context:
            return inside  # a directory source: its contents land under the destination
        if posixpath.basename(source) == relative and source in context:
            return source  # a file copied into a directory destination
    return None


def _normal(path: str) -> str:
    path = posixpath.normpath(path.strip()).lstrip("/")
    return "" if path == "." else path


def _copied_files(model: SemanticModel, chain: list[Stage]) -> tuple[list[_Copied], str]:
    """Every COPY/ADD of the runtime chain that takes from the build context or writes a heredoc,
    and the WORKDIR the container starts in."""
    out: list[_Copied] = []
    workdir = "/"
    for stage in chain:
        for instr in stage.instructions:
            if instr.keyword == "WORKDIR":
                workdir = _join(workdir, expand(instr.args.strip(), model.variables_at(instr)))
            if instr.keyword not in ("COPY", "ADD") or instr.flag("from") is not None:
                continue
            values = [expand(value, model.variables_at(instr)) for value in argument_values(instr)]
            if not values:
                continue
            destination = _join(workdir, values[-1])
            if instr.heredocs:
                if len(instr.heredocs) == 1:
                    out.append(_Copied((), destination, instr.heredocs[0].content))
                continue
            sources = tuple(value for value in values[:-1] if "://" not in value)
            out.append(_Copied(sources, destination))
    return out, workdir


def _join(workdir: str, path: str) -> str:
    path = path.strip().strip("\"'")
    joined = posixpath.normpath(posixpath.join(workdir, path))
    return joined + "/" if path.endswith("/") and joined != "/" else joined

