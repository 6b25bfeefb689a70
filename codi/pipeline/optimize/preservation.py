"""The preservation check: a candidate must run the same application the original runs.

A candidate Dockerfile is compared with the original on what the built image
exposes to whoever runs it: the start command (ENTRYPOINT + CMD as Docker
runs them), EXPOSE, ENV, WORKDIR, VOLUME, LABEL, USER, HEALTHCHECK, the base
image of the final stage, and which build-context files end up where.
Differences in USER, the base image and HEALTHCHECK are allowed only when the
candidate lists them as deliberate changes; the rest must be identical.

What counts as the same:
- start command: the same argv (`entrypoint.analyze_start`), or the original's shell form and the
  candidate's exec form of it (`StartCommand.exec_conversion`), or the same
  shell script with `exec` put before a command (CD2006's fix); with a declared
  `start-command` change, the same interpreter by another path, or the program
  the original's wrapper hands over to (`StartCommand.resolved`: `npm start` →
  `node server.js`, `target/*.jar` → a jar path the glob matches);
- `MAINTAINER x` reads as `LABEL maintainer=x` (DL4000's fix);
- files: each COPY/ADD from the build context into the image is a mapping
  "context path P ends up at D"; `COPY --from=<stage>` is followed back
  through that stage's own copies; a path built in a stage (not traceable to
  the context) is a built artefact that must arrive at the same destination.
  A context copy may leave the final image only when the candidate declares
  a `multi-stage` change, the same context path goes into a builder stage
  the final image copies from, and the start command's files are still there.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from codi.pipeline.optimize.start import analyze_start
from codi.pipeline.model import Document, Instruction
from codi.pipeline.optimize.model import Candidate, Change, Rejection, StartCommand
from codi.pipeline.semantic import SemanticModel, Stage, expand, key_values
from codi.pipeline.shell import parse_script
from codi.knowledge.arguments import argument_values, exec_conversion_blocker
from codi.knowledge.stages import image_stages, stage_and_ancestors

CONTEXT = "context"
BUILT = "built"
IMAGE = "image"
URL = "url"

DELIBERATE_CHANGES: dict[str, str] = {
    "user": "USER",
    "base-image": "base image",
    "healthcheck": "HEALTHCHECK",
    "start-command": "interpreter",
}
"""Change kind → the attribute a candidate may change when it lists a change of that kind."""


@dataclass(frozen=True, order=True)
class FileMapping:
    """`source/r` ends up at `destination/r` in the image, for every relative path r.

    `origin` is `context` (source is a build-context path, "" for the whole
    context), `built` (made by a build step; source is the stage path), or
    `image` (source is `<image>:<path>` of an image copied from) or `url` (ADD of a URL or git repository).
    """

    origin: str
    source: str
    destination: str


@dataclass(frozen=True)
class RuntimeProfile:
    """What a built image shows to whoever runs it, as far as the Dockerfile says."""

    start: tuple[str, ...] | None
    exposed: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    workdir: str | None
    volumes: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]
    user: str | None
    healthcheck: str | None
    base_image: str | None
    files: tuple[FileMapping, ...]
    builder_inputs: tuple[FileMapping, ...]
    """Context copies into the stages the image copies from (inputs of its built artefacts)."""


def runtime_profile(document: Document) -> RuntimeProfile:
    """The image-level facts of a parsed Dockerfile (its last stage and the stages it is built FROM)."""
    model = SemanticModel(document)
    stages = image_stages(model)
    tracer = _FileTracer(model)
    values = _StageValues(model, stages)
    return RuntimeProfile(
        start=analyze_start(document).argv,
        exposed=values.exposed,
        env=values.env,
        workdir=tracer.workdir(stages[-1]) if stages else None,
        volumes=values.volumes,
        labels=values.labels,
        user=values.user,
        healthcheck=values.healthcheck,
        base_image=stages[0].image.raw if stages else None,
        files=tuple(sorted(set(tracer.image_files(stages)))),
        builder_inputs=tuple(sorted(set(tracer.builder_inputs(stages)))),
    )


def preservation_problems(
    original: RuntimeProfile, candidate: RuntimeProfile, start: StartCommand, changes: Sequence[Change]
) -> list[str]:
    """What the candidate changes that it must not (empty when it preserves the original)."""
    declared = {DELIBERATE_CHANGES[change.kind] for change in changes if change.kind in DELIBERATE_CHANGES}
    problems: list[str] = []
    if not _same_start(original.start, candidate.start, start) and not (
        "interpreter" in declared
        and (
            _same_but_interpreter_path(original.start, candidate.start)
            or _runs_the_resolved(start.resolved, candidate.start)
        )
    ):
        problems.append(f"start command {_argv(candidate.start)} instead of {_argv(original.start)}")
    for what, before, after in (
        ("EXPOSE", original.exposed, candidate.exposed),
        ("VOLUME", original.volumes, candidate.volumes),
    ):
        problems.extend(_set_difference(what, before, after))
    problems.extend(_mapping_difference("ENV", original.env, candidate.env))
    problems.extend(_mapping_difference("LABEL", original.labels, candidate.labels))
    if original.workdir != candidate.workdir:
        problems.append(f"WORKDIR {candidate.workdir or '(none)'} instead of {original.workdir or '(none)'}")
    for what, before, after in (
        ("USER", original.user, candidate.user),
        ("HEALTHCHECK", original.healthcheck, candidate.healthcheck),
        ("base image", original.base_image, candidate.base_image),
    ):
        if before != after and what not in declared:
            problems.append(f"{what} {after or '(none)'} instead of {before or '(none)'}, not listed as a change")
    problems.extend(_file_problems(original, candidate, changes))
    return problems


def preservation_rejection(
    original: RuntimeProfile, candidate: Candidate, document: Document, start: StartCommand
) -> Rejection | None:
    """The rejection of a candidate (`document` is its text parsed) that does not parse or does not
    preserve the original, else None."""
    if document.diagnostics:
        first = document.diagnostics[0]
        return Rejection(candidate.strategy, f"the candidate does not parse (line {first.span.line}: {first.message})")
    problems = preservation_problems(original, runtime_profile(document), start, candidate.changes)
    if problems:
        return Rejection(candidate.strategy, "does not preserve the original: " + "; ".join(problems))
    return None


# Start command


def _same_start(before: tuple[str, ...] | None, after: tuple[str, ...] | None, start: StartCommand) -> bool:
    if before == after:
        return True
    if after is not None and start.shell_form and start.exec_conversion == after:
        return True
    return before is not None and after is not None and _without_exec(before) == _without_exec(after)


def _interpreter(program: str) -> str:
    """`/usr/local/bin/python3.11` → `python`: the interpreter a program path names."""
    return program.rsplit("/", 1)[-1].rstrip("0123456789.")


def _same_but_interpreter_path(before: tuple[str, ...] | None, after: tuple[str, ...] | None) -> bool:
    """The same argv except for how the same interpreter is named (`python` → `python3` on distroless)."""
    if not before or not after or len(before) != len(after) or before[1:] != after[1:]:
        return False
    return _interpreter(before[0]) == _interpreter(after[0]) in ("python", "node")


def _runs_the_resolved(resolved: tuple[str, ...] | None, after: tuple[str, ...] | None) -> bool:
    """The candidate runs what the original's wrapper hands over to (`npm start` → `node server.js`), the
    interpreter perhaps named differently, a glob word (`target/*.jar`) by a path it matches."""
    if not resolved or not after or len(resolved) != len(after):
        return False
    if resolved[0] != after[0] and not _same_but_interpreter_path((resolved[0],), (after[0],)):
        return False
    return all(
        word == glob or (_GLOB_WORD.search(glob) is not None and fnmatch.fnmatchcase(word, glob))
        for word, glob in zip(after[1:], resolved[1:], strict=True)
    )


_GLOB_WORD = re.compile(r"[*?\[]")


def _without_exec(argv: tuple[str, ...]) -> tuple[str, ...]:
    """The argv with `exec ` removed from before the commands of its shell script (the last word)."""
    if not argv:
        return argv
    script = argv[-1]
    cuts = [cmd.name_word for cmd in parse_script(script).commands if cmd.name == "exec" and cmd.args]
    for word in sorted(cuts, key=lambda w: w.start, reverse=True):
        end = word.end
        while end < len(script) and script[end] in " \t":
            end += 1
        script = script[: word.start] + script[end:]
    return (*argv[:-1], script)


def _argv(argv: tuple[str, ...] | None) -> str:
    return "(none)" if argv is None else "[" + ", ".join(f'"{word}"' for word in argv) + "]"


# Metadata


class _StageValues:
    """EXPOSE, ENV, VOLUME, LABEL, USER and HEALTHCHECK of the image stages, with variables expanded."""

    def __init__(self, model: SemanticModel, stages: list[Stage]) -> None:
        self.model = model
        self.instructions = [instr for stage in stages for instr in stage.instructions]

    def _words(self, keyword: str) -> list[str]:
        return [
            expand(value, self.model.variables_at(instr))
            for instr in self.instructions
            if instr.keyword == keyword
            for value in argument_values(instr)
        ]

    @property
    def exposed(self) -> tuple[str, ...]:
        ports = {port if "/" in port else f"{port}/tcp" for port in self._words("EXPOSE")}
        return tuple(sorted(port.lower() for port in ports))

    @property
    def volumes(self) -> tuple[str, ...]:
        return tuple(sorted({posixpath.normpath(volume) for volume in self._words("VOLUME")}))

    def _pairs(self, keyword: str) -> tuple[tuple[str, str], ...]:
        values: dict[str, str] = {}
        for instr in self.instructions:
            if instr.keyword == "MAINTAINER" and keyword == "LABEL":
                values["maintainer"] = instr.args
            if instr.keyword != keyword:
                continue
            variables = self.model.variables_at(instr)
            for pair in key_values(instr):
                values[pair.key] = expand(pair.value or "", variables)
        return tuple(sorted(values.items()))

    @property
    def env(self) -> tuple[tuple[str, str], ...]:
        return self._pairs("ENV")

    @property
    def labels(self) -> tuple[tuple[str, str], ...]:
        return self._pairs("LABEL")

    def last(self, keyword: str) -> str | None:
        found = [instr for instr in self.instructions if instr.keyword == keyword]
        return expand(found[-1].args, self.model.variables_at(found[-1])) if found else None

    @property
    def healthcheck(self) -> str | None:
        found = [instr for instr in self.instructions if instr.keyword == "HEALTHCHECK"]
        if not found:
            return None
        instr = found[-1]
        flags = " ".join(f"--{flag.name}={flag.value}" for flag in sorted(instr.flags, key=lambda f: f.name))
        return f"{flags} {_argv(self._probe(instr))}".strip()

    def _probe(self, instr: Instruction) -> tuple[str, ...] | None:
        """The HEALTHCHECK's command as an argv: its exec form, the shell form's words when they mean the
        same without a shell (DL3025's test), else the shell running its text; None for `NONE`."""
        if instr.exec_form is not None:
            return instr.exec_form
        words = instr.words
        if not words or words[0].value.upper() != "CMD":
            return None
        shell = self.model.shell_at(instr)
        if exec_conversion_blocker(instr, words[1:], shell) is None:
            return tuple(word.value for word in words[1:])
        return (*shell, instr.args[words[1].start :] if len(words) > 1 else "")

    @property
    def user(self) -> str | None:
        """The last USER, with `root` spelled as UID/GID 0 and `0:0` as `0` (the same account)."""
        user = self.last("USER")
        if user is None:
            return None
        parts = ["0" if part == "root" else part for part in user.split(":", 1)]
        return "0" if parts in (["0"], ["0", "0"]) else ":".join(parts)


def _set_difference(what: str, before: Iterable[str], after: Iterable[str]) -> list[str]:
    lost, added = sorted(set(before) - set(after)), sorted(set(after) - set(before))
    problems = [f"drops {what} {value}" for value in lost]
    problems.extend(f"adds {what} {value}" for value in added)
    return problems


def _mapping_difference(
    what: str, before: tuple[tuple[str, str], ...], after: tuple[tuple[str, str], ...]
) -> list[str]:
    old, new = dict(before), dict(after)
    problems = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            problems.append(f"drops {what} {name}")
        elif name not in old:
            problems.append(f"adds {what} {name}")
        elif old[name] != new[name]:
            problems.append(f"{what} {name}={new[name]} instead of {old[name]}")
    return problems


# Files


@dataclass(frozen=True)
class _Workdirs:
    """The WORKDIRs set in a stage and the stages it is built FROM, resolved, read once per stage."""

    paths: tuple[str, ...]
    first: dict[str, int]
    """Each path → the index of its first WORKDIR."""
    before: dict[int, int]
    """id of each instruction of the stage → how many WORKDIRs come before it."""

    def count(self, before: Instruction | None) -> int:
        return len(self.paths) if before is None else self.before.get(id(before), len(self.paths))


MAX_TRACED_MAPPINGS = 10_000
"""Mappings one document's `COPY --from` tracing may keep and read, in all; past it, a copy out of a stage is one
opaque built path, as when nothing is known of what the stage made. A stage copying the one before twice doubles
the mappings: 16 such stages took 8.6 s, 30 would make 2³⁰ mappings."""


class _FileTracer:
    """Where COPY/ADD put build-context files, following `COPY --from` back through stages.

    Per stage, the WORKDIRs and the mappings are worked out once and in stage order, so neither a
    COPY after many WORKDIRs nor a long chain of `COPY --from` stages rescans the document (a 20k-line
    file took 15.8 s) or recurses once per stage; the mappings kept and read are bounded by
    `MAX_TRACED_MAPPINGS`.
    """

    def __init__(self, model: SemanticModel) -> None:
        self.model = model
        self._workdir_cache: dict[int, _Workdirs] = {}
        self._inner: dict[int, list[FileMapping] | None] = {}
        """A stage's mappings and its FROM ancestors'; None once they passed the budget (not traced)."""
        self._budget = MAX_TRACED_MAPPINGS
        self._by_name: dict[str, Stage] = {}
        """A stage by its alias or its index (the first stage that has it)."""
        for stage in model.stages:
            self._by_name.setdefault((stage.alias or "").lower(), stage)
            self._by_name.setdefault(str(stage.index), stage)

    def _workdirs(self, stage: Stage) -> _Workdirs:
        """Worked out for every earlier stage first (in stage order: a stage's FROM parent comes before it)."""
        for earlier in self.model.stages[len(self._workdir_cache) : stage.index + 1]:
            parent = self._workdir_cache[earlier.parent.index] if earlier.parent is not None else None
            paths: list[str] = list(parent.paths) if parent is not None else []
            before: dict[int, int] = {}
            for instr in earlier.instructions:
                before[id(instr)] = len(paths)
                if instr.keyword == "WORKDIR" and instr.args:
                    path = expand(instr.args.strip().strip("\"'"), self.model.variables_at(instr))
                    paths.append(posixpath.normpath(posixpath.join(paths[-1] if paths else "/", path)))
            first: dict[str, int] = {}
            for index, path in enumerate(paths):
                first.setdefault(path, index)
            self._workdir_cache[earlier.index] = _Workdirs(tuple(paths), first, before)
        return self._workdir_cache[stage.index]

    def workdir(self, stage: Stage, before: Instruction | None = None) -> str | None:
        """The WORKDIR in effect in `stage` (before `before`, when given)."""
        workdirs = self._workdirs(stage)
        count = workdirs.count(before)
        return workdirs.paths[count - 1] if count else None

    def _was_workdir(self, stage: Stage, path: str, before: Instruction | None = None) -> bool:
        """Whether a WORKDIR of `stage` (before `before`) is `path`."""
        workdirs = self._workdirs(stage)
        return workdirs.first.get(path, len(workdirs.paths)) < workdirs.count(before)

    def _source_stage(self, instr: Instruction) -> Stage | None:
        flag = instr.flag("from")
        if flag is None or flag.value is None:
            return None
        return self._by_name.get(expand(flag.value, self.model.variables_at(instr)).lower())

    def stage_files(self, stages: Iterable[Stage], trace: bool = True) -> list[FileMapping]:
        """The mappings COPY/ADD make in `stages` (each with its WORKDIR and variables); `COPY --from` an
        earlier stage is followed back when `trace`."""
        out: list[FileMapping] = []
        for stage in stages:
            for instr in stage.instructions:
                if instr.keyword in ("COPY", "ADD") and not instr.heredocs:
                    out.extend(self._copy(stage, instr, trace))
        return out

    def _copy(self, stage: Stage, instr: Instruction, trace: bool) -> list[FileMapping]:
        variables = self.model.variables_at(instr)
        values = [expand(value, variables) for value in argument_values(instr)]
        if len(values) < 2:
            return []
        sources, written = values[:-1], values[-1]
        base = self.workdir(stage, instr) or "/"
        destination = posixpath.normpath(posixpath.join(base, written))
        into_directory = (
            written.endswith(("/", "/.")) or written in (".", "..") or len(sources) > 1
            or destination == "/" or self._was_workdir(stage, destination, instr)
        )  # fmt: skip
        from_stage = self._source_stage(instr)
        from_name = instr.flag_values("from")
        out: list[FileMapping] = []
        for source in sources:
            clean = _context_path(source)
            is_directory = clean == "" or source.endswith("/")
            target = (
                posixpath.join(destination, posixpath.basename(clean))
                if into_directory and not is_directory
                else destination
            )
            if "://" in source or source.startswith("git@"):
                out.append(FileMapping(URL, source, target))
            elif from_stage is not None and trace and from_stage.index < stage.index:
                path = posixpath.normpath(posixpath.join("/", source))
                out.extend(self._traced(from_stage, path, target, destination))
            elif from_name:
                out.append(FileMapping(IMAGE, f"{from_name[0]}:{posixpath.normpath(source)}", target))
            else:
                out.append(FileMapping(CONTEXT, clean, target))
        return out

    def _stage_inner(self, stage: Stage) -> list[FileMapping] | None:
        """The mappings of `stage` and the stages it is built FROM, worked out for every earlier stage
        first (in stage order), so tracing never recurses; None past the budget."""
        for earlier in self.model.stages[len(self._inner) : stage.index + 1]:
            own = self.stage_files([earlier])
            parent = self._inner[earlier.parent.index] if earlier.parent else []
            inner = parent + own if parent is not None and self._spend(len(parent) + len(own)) else None
            self._inner[earlier.index] = inner
        return self._inner[stage.index]

    def _spend(self, mappings: int) -> bool:
        """Whether `mappings` more fit the budget (then they are taken from it)."""
        if mappings > self._budget:
            self._budget = 0
            return False
        self._budget -= mappings
        return True

    def _traced(self, stage: Stage, path: str, target: str, destination: str) -> list[FileMapping]:
        """What copying `path` out of `stage` brings along, as context or built mappings: to `target` (a
        file's place), or into `destination` itself when `path` is a directory there (a WORKDIR, or a
        directory files were copied into). Past the budget, only the built path."""
        inner = self._stage_inner(stage)
        if inner is None or not self._spend(len(inner)):
            return [FileMapping(BUILT, path, target)]
        if self._was_workdir(stage, path) or any(within(m.destination, path + "/") for m in inner):
            target = destination
        out: list[FileMapping] = []
        for mapping in inner:
            if within(path, mapping.destination):
                rest = posixpath.relpath(path, mapping.destination)
                source = posixpath.normpath(posixpath.join(mapping.source, rest))
                out.append(FileMapping(mapping.origin, "" if source == "." else source, target))
            elif within(mapping.destination, path):
                rest = posixpath.relpath(mapping.destination, path)
                out.append(FileMapping(mapping.origin, mapping.source, posixpath.join(target, rest)))
        return out or [FileMapping(BUILT, path, target)]

    def image_files(self, stages: list[Stage]) -> list[FileMapping]:
        return self.stage_files(stages)

    def builder_inputs(self, stages: list[Stage]) -> list[FileMapping]:
        """Context copies into the stages the image stages copy from (and the stages those copy from)."""
        seen: set[int] = {stage.index for stage in stages}
        pending = [s for stage in stages for i in stage.instructions if (s := self._source_stage(i)) is not None]
        out: list[FileMapping] = []
        while pending:
            stage = pending.pop()
            if stage.index in seen:
                continue
            seen.add(stage.index)
            for member in stage_and_ancestors(stage):
                for instr in member.instructions:
                    if instr.keyword not in ("COPY", "ADD") or instr.heredocs:
                        continue
                    source_stage = self._source_stage(instr)
                    if source_stage is not None:
                        pending.append(source_stage)
                    elif not instr.flag_values("from"):
                        out.extend(self._copy(member, instr, trace=False))
        return out


def _context_path(source: str) -> str:
    """A build-context path without `./` and trailing `/` ("" for the whole context)."""
    path = posixpath.normpath(source.lstrip("/"))
    return "" if path == "." else path


def within(path: str, directory: str) -> bool:
    """Whether `path` is `directory` or inside it."""
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def _start_paths(profile: RuntimeProfile, files: _FileIndex) -> list[str]:
    """Absolute paths named by the start command's words that some COPY of the original (`files`) provides."""
    words = profile.start or ()
    base = profile.workdir or "/"
    paths = []
    for word in words:
        if "/" in word or "." in word:
            path = posixpath.normpath(posixpath.join(base, word))
            if files.provides(path):
                paths.append(path)
    return paths


class _FileIndex:
    """Mappings by origin and source and by destination, so that `_covers`, `_same_source` and
    `_provided` against all of them cost one look-up per directory of the path, not one test per
    mapping (a candidate of 10,000 COPYs made 10⁸ comparisons)."""

    def __init__(self, files: Iterable[FileMapping]) -> None:
        self.destinations: dict[tuple[str, str], set[str]] = {}
        self.stripped: set[str] = set()
        for mapping in files:
            self.destinations.setdefault((mapping.origin, mapping.source), set()).add(mapping.destination)
            self.stripped.add(mapping.destination.rstrip("/"))
        self.exact = {destination for group in self.destinations.values() for destination in group}

    def covers(self, mapping: FileMapping) -> bool:
        """Whether some indexed mapping `_covers` `mapping`."""
        if mapping.destination in self.destinations.get((mapping.origin, mapping.source), ()):
            return True
        if mapping.origin != CONTEXT:
            return False
        destination = mapping.destination
        for directory in _directories(mapping.source):
            rest = mapping.source[len(directory) + 1 :] if directory else mapping.source
            if rest == "" or not destination.endswith(rest):
                continue
            by_destinations = self.destinations.get((CONTEXT, directory), set())
            for by_destination in (destination[: -len(rest)], destination[: -len(rest)].removesuffix("/")):
                if by_destination in by_destinations and posixpath.join(by_destination, rest) == destination:
                    return True
        return False

    def same_source(self, mapping: FileMapping) -> bool:
        """Whether some indexed mapping has `_same_source` as `mapping`."""
        keys = (mapping.source, *_directories(mapping.source))
        return any((mapping.origin, key) in self.destinations for key in keys)

    def provides(self, path: str) -> bool:
        """Whether `path` is within an indexed mapping's destination (`_provided`)."""
        if path in self.exact:
            return True
        return any(path[:index] in self.stripped for index, char in enumerate(path) if char == "/")


def _directories(path: str) -> list[str]:
    """`a/b/c` → `""`, `a`, `a/b`: the sources a directory copy of which holds `path`."""
    return [""] + [path[:index] for index, char in enumerate(path) if char == "/" and index > 0]


def _file_problems(original: RuntimeProfile, candidate: RuntimeProfile, changes: Sequence[Change]) -> list[str]:
    multi_stage = any(change.kind == "multi-stage" for change in changes)
    candidate_files, original_files = _FileIndex(candidate.files), _FileIndex(original.files)
    builder_inputs = _FileIndex(candidate.builder_inputs)
    problems = []
    for mapping in original.files:
        if candidate_files.covers(mapping):
            continue
        if mapping.origin == BUILT and candidate_files.provides(mapping.destination):
            continue
        moved_to_builder = builder_inputs.covers(mapping) or builder_inputs.same_source(mapping)
        if mapping.origin == CONTEXT and multi_stage and moved_to_builder:
            continue
        problems.append(f"loses {_describe(mapping)}")
    for mapping in candidate.files:
        if mapping.origin != BUILT and not original_files.covers(mapping):
            problems.append(f"adds {_describe(mapping)}")
    for path in _start_paths(original, original_files):
        if not candidate_files.provides(path):
            problems.append(f"loses {path}, which the start command runs")
    return problems


def _describe(mapping: FileMapping) -> str:
    if mapping.origin == CONTEXT:
        return f"application file(s) {mapping.source or '.'} at {mapping.destination}"
    if mapping.origin in (IMAGE, URL):
        return f"{mapping.source} copied to {mapping.destination}"
    return f"the built {mapping.source} at {mapping.destination}"
