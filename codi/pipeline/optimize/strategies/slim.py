"""The `slim` strategy: the original's stages kept, the image made smaller and cleaner.

Edits of the original's own text, each listed as a `Change`:

- base: the image's root stage moves to the slim variant of its tag family and version
  (`images.slim_variant`: `python:3.9` → `python:3.9-slim`, a JDK → the JRE), unless the stage
  needs what only the full image has: a compiler for a dependency install or build, `git`,
  `curl`, `wget` … that no earlier OS install of the stage provides, a JDK tool, a package manager
  of another distribution. A base named by a global ARG (`FROM ${BASE}`) moves through that ARG's
  default, when nothing else reads it;
- OS packages: consecutive RUNs that only update, install and clean OS packages become one
  layer, `apt-get install` with `--no-install-recommends` and the lists removed at the end
  (unless a later RUN still installs from them), `apk add` with `--no-cache`. Without recommends
  a slim base has no CA certificates, so `ca-certificates` is named when the image installs a TLS
  client (curl, wget, git, gnupg …) or downloads from an `https://` URL; recommends are kept for
  packages whose recommended ones later steps rely on (`python3-pip`: the compiler for source
  packages; `git` with ssh URLs: openssh-client). yum, dnf and microdnf RUNs (a leading `set -eux`
  allowed) merge the same way; their installs get `--nodocs` (yum: `--setopt=tsflags=nodocs`) and,
  for dnf and microdnf, `--setopt=install_weak_deps=0` (rpm's recommends); their `clean all` is the
  fixes' (DL3032, DL3040): rpm managers fetch their metadata again when it is gone, so no later
  install depends on it;
- layers: consecutive RUNs of one plain command or an `&&` chain of them (the first may be any list that
  ends with its last statement), in any stage, with the same flags become one RUN chained by `&&`
  (`_merge_runs`: not past a command that changes its shell's state, leaves a server running or may
  replace /bin/sh, not under a shell other than sh/bash/ash/dash or one that reads a start-up file before each RUN);
- build tools: when a builder stage exists, compilers and build helpers (not `-dev`
  packages: they bring the run-time libraries) are left out of the image's installs, if
  nothing after them in the image compiles, installs dependencies or runs them;
- cache mounts: dependency installs and builds of builder stages keep their download caches in
  `RUN --mount=type=cache` (every RUN of the stage that runs the tool, so none finds its
  cache missing), unless the stage runs as another user or a later stage copies the cache.

- user: when the image runs its application as root (an interpreter, an application server or a
  program given by its path; not a shell, a wrapper script, a daemon that drops privileges itself
  such as nginx or postgres, a tool of the base image) on a base known to run as root with a shell
  (`images.account_tool`), the `security` module's numeric user is added before the start
  command, as the multi-stage candidates add it; the image's WORKDIR and every COPY/ADD into it
  become that user's. Not with a VOLUME other than /tmp or /var/tmp (the application writes there, and
  it may be a bind mount only root could write), a port below 1024 (EXPOSEd, or the base's default:
  `images.default_port`), ONBUILD or SHELL, no WORKDIR of its own, or a base without a shell (scratch,
  distroless: its WORKDIR could not be made the user's).

Then codi's safe fixes are applied. The gate is "lints no worse": the candidate may have no
warning or error code more often than the original with those fixes. Literally clean is not the
gate because nearly no original can become clean by edits codi may make: the version pins
(DL3006/DL3007 base tags, DL3008/DL3013/DL3016/DL3018/DL3028/DL3033 … packages) need versions
only the author knows, and a user cannot be added where root may be needed (CD1001).
`bench/optimize_corpus.py` counts both: candidates with no warning at all and those whose only
warnings are such pins.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field

from codi.knowledge.apt import APT_LISTS, is_apt_get_install, removes_apt_lists, updates_package_lists
from codi.knowledge.arguments import SHELL_BUILTINS, argument_values
from codi.knowledge.rpm import DNF_COMMANDS, YUM_COMMANDS
from codi.knowledge.stacks import (
    DEPENDENCY_TOOLS,
    DependencyTool,
    compile_step,
    dependency_step,
    is_build_helper_package,
    is_toolchain_package,
    program,
)
from codi.knowledge.images import docker_hub_name
from codi.knowledge.stages import image_stages
from codi.modules import inject, load_modules
from codi.pipeline.config import LintConfig
from codi.pipeline.edits import Edit, apply_edits
from codi.pipeline.findings import Severity
from codi.pipeline.lint import fix_text, lint_text
from codi.pipeline.model import Document, Instruction
from codi.pipeline.optimize.estimate import estimate_change
from codi.pipeline.optimize.images import account_tool, default_port, slim_variant
from codi.pipeline.optimize.model import Candidate, Change, Rejection, StartCommand
from codi.pipeline.optimize.preservation import within
from codi.pipeline.optimize.start import analyze_start
from codi.pipeline.optimize.strategies.render import cache_target
from codi.pipeline.parser import parse
from codi.pipeline.semantic import SemanticModel, Stage, key_values, parse_image
from codi.pipeline.shell import Command, ShellScript
from codi.rules.base import LintContext, has_cache_mount

SLIM_LINT = LintConfig(shellcheck=False)
"""Candidates are checked by codi's own rules only (ShellCheck is an I/O edge)."""

FULL_IMAGE_PROGRAMS = frozenset(
    {
        "gcc", "g++", "cc", "c++", "make", "git", "curl", "wget", "ssh", "scp", "hg", "svn", "bzr",
        "patch", "unzip", "bzip2", "xz", "file", "pkg-config", "autoconf", "automake", "libtool",
        "convert", "gpg", "dpkg-dev", "ps",
    }
)  # fmt: skip
"""Programs the full language images (buildpack-deps) have and their -slim variants lack."""
PROGRAM_PACKAGES = {"gcc": "gcc", "g++": "g++", "cc": "gcc", "c++": "g++", "make": "make", "ps": "procps",
                    "convert": "imagemagick", "gpg": "gnupg", "xz": "xz-utils", "hg": "mercurial",
                    "svn": "subversion", "ssh": "openssh-client", "scp": "openssh-client"}  # fmt: skip
"""The Debian package of a program, where it is not named like the program."""
COMPILERS = frozenset({"gcc", "g++", "build-essential", "clang"})
NATIVE_INSTALLS = frozenset({"pip", "pip3", "npm", "yarn", "pnpm", "gem", "bundle", "cargo", "node-gyp"})
"""Programs whose installs may compile native extensions (and so need a compiler)."""
JDK_TOOLS = frozenset({"javac", "jar", "jlink", "jdeps", "jpackage", "jshell", "mvn", "mvnw", "gradle", "gradlew"})
TOOL_PROGRAMS: dict[str, frozenset[str]] = {
    "pip": frozenset({"pip", "pip3"}), "maven": frozenset({"mvn", "mvnw"}), "gradle": frozenset({"gradle", "gradlew"}),
    "bundler": frozenset({"bundle", "gem"}), "npm": frozenset({"npm", "npx"}),
}  # fmt: skip
"""The programs that read a dependency tool's cache, where they are not named like the tool."""
_APT_VERBS = frozenset({"update", "install", "upgrade", "dist-upgrade", "clean", "autoclean", "autoremove"})
_APK_VERBS = frozenset({"add", "update", "upgrade", "del"})
RPM_MANAGERS = YUM_COMMANDS | DNF_COMMANDS
_RPM_VERBS = frozenset({"install", "update", "upgrade", "clean", "makecache", "remove", "erase", "autoremove",
                        "reinstall", "distro-sync", "downgrade"})  # fmt: skip
_NO_DOCS, _NO_WEAK_DEPS = ("--nodocs", "nodocs"), ("--setopt=install_weak_deps=0", "install_weak_deps")
_RPM_LEAN = {"dnf": (_NO_DOCS, _NO_WEAK_DEPS), "microdnf": (_NO_DOCS, _NO_WEAK_DEPS),
             "yum": (("--setopt=tsflags=nodocs", "nodocs"),)}  # fmt: skip
"""What an rpm install is given for a smaller layer, as (option, the setting a RUN that already has it names): no
documentation files, and (dnf, microdnf) no weak dependencies, rpm's recommended packages. yum gets no weak-dependency option: EL7's yum has none (it warns on the
setting), and codi cannot tell EL7's yum from EL8's (dnf under the old name)."""
_CLEANED = re.compile(
    r"^/var/(lib/apt/lists|cache/apt|cache/apk|cache/yum|cache/dnf)(/\*?|/[\w.*]+)?$|^/tmp/\*$"
)


@dataclass
class _Plan:
    edits: list[Edit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Why a step did not apply, for the rejection when nothing does."""


def slim_candidates(
    document: Document, fixed: str | None = None, start: StartCommand | None = None, stack: str = "generic"
) -> tuple[list[Candidate], list[Rejection]]:
    """The slim candidate of `document` (at most one), or why there is none.

    `fixed` is the original with codi's safe fixes applied, when the caller has it (the fixes strategy made it);
    `start` its start command (`analyze_start`) and `stack` its stack (`detect_stack`), for the non-root user.
    """
    ctx = LintContext(document)
    image = image_stages(ctx.model)
    plan = _Plan()
    _rebase(ctx, image, plan)
    multi_stage = len(ctx.model.stages) > 1
    for stage in image:
        _consolidate(ctx, stage, image, multi_stage, plan)
    builders = [stage for stage in ctx.model.stages if stage not in image]
    for stage in builders:
        _cache_mounts(ctx, stage, plan)
    for stage in ctx.model.stages:
        _merge_runs(ctx, stage, image[0].image_as_written, plan)
    _non_root(image, start if start is not None else analyze_start(document), stack, plan)
    if not plan.changes:
        notes = "; ".join(dict.fromkeys(plan.notes)) or "nothing to slim"
        return [], [Rejection("slim", f"no slimmer base, layer to merge, build tool or cache to leave out ({notes})")]
    text = fix_text(apply_edits(document.text, plan.edits), SLIM_LINT)
    worse = lints_worse(document.text, text, fixed)
    if worse:
        return [], [Rejection("slim", f"the slim candidate lints worse than the original: {', '.join(worse)}")]
    changes = [*plan.changes]
    if text != apply_edits(document.text, plan.edits):
        changes.append(Change("fix", "codi's safe fixes applied"))
    return [Candidate("slim", text, tuple(changes), estimate_change(document, parse(text)))], []


def _problems(text: str) -> Counter[str]:
    return Counter(f.code for f in lint_text(text, SLIM_LINT).findings if f.severity in (Severity.WARNING, Severity.ERROR))


def lints_worse(original: str, candidate: str, fixed: str | None = None) -> list[str]:
    """Warning/error codes the candidate has more of than the original with codi's safe fixes (`fixed`)."""
    before, after = _problems(fixed if fixed is not None else fix_text(original, SLIM_LINT)), _problems(candidate)
    return sorted(code for code, count in after.items() if count > before[code])


# Base image


_ALREADY_SMALL = re.compile(r"(?<![a-z])(slim|alpine|distroless|chiseled|minimal|micro|busybox|jre)(?![a-z])|^scratch$")
"""Bases that are the small variant of their family already (`micro` as a word: not `microsoft`)."""


def _rebase(ctx: LintContext, image: list[Stage], plan: _Plan) -> None:
    root = image[0]
    base = _base_image(root)
    slim = slim_variant(base)
    if slim is None:
        small = _ALREADY_SMALL.search(base) and "$" not in base
        plan.notes.append(f"{base or 'the base'} {'is already small' if small else 'has no slim variant codi knows'}")
        return
    blocker = _needs_full_image(ctx, image, slim)
    if blocker is not None:
        plan.notes.append(f"{slim} would lack {blocker}")
        return
    edit = _base_edit(ctx, root, slim)
    if edit is None:
        whole = _VARIABLE.match(root.from_instr.words[0].value) is not None
        why = "an ARG that other instructions read too or whose default other ARGs make" if whole else \
              "variables in its name or tag"  # fmt: skip
        plan.notes.append(f"{root.image_as_written} names {base} through {why}")
        return
    plan.edits.append(edit)
    named = base != root.image_as_written
    through = f" (the default of the ARG that FROM line {root.from_instr.line} names)" if named else ""
    plan.changes.append(Change("base-image", f"{slim} instead of {base}{through}: the same version, slimmer"))


def _base_image(stage: Stage) -> str:
    """The stage's base as written, or with the global ARG defaults when they name a whole image."""
    resolved = stage.image.raw
    return resolved if "$" in stage.image_as_written and resolved and "$" not in resolved else stage.image_as_written


_VARIABLE = re.compile(r"^\$(?:\{(\w+)\}|(\w+))$")


def _base_edit(ctx: LintContext, stage: Stage, slim: str) -> Edit | None:
    """The edit that moves the stage to `slim`: its FROM word, or the default of the global ARG that FROM is
    (`ARG BASE=python:3.11` + `FROM ${BASE}`) when nothing else reads that ARG; else None."""
    from_instr = stage.from_instr
    word = from_instr.words[0]
    if "$" not in word.value:
        return Edit(from_instr.args_map.to_source(word.start), from_instr.args_map.end_to_source(word.end), slim)
    match = _VARIABLE.match(word.value)
    if match is None:
        return None
    name = match.group(1) or match.group(2)
    if len(re.findall(rf"\$\{{?{name}\b", ctx.document.text)) != 1:
        return None
    first_from = next(instr for instr in ctx.document.instructions if instr.keyword == "FROM")
    for instr in ctx.document.instructions:
        if instr is first_from:
            break
        if instr.keyword != "ARG":
            continue
        for pair in key_values(instr):
            if pair.key == name and pair.value == stage.image.raw:
                start, end = instr.args_map.to_source(pair.start), instr.args_map.end_to_source(pair.end)
                return Edit(start, end, f"{name}={slim}")
    return None


def _needs_full_image(ctx: LintContext, image: list[Stage], slim: str) -> str | None:
    """What the image's instructions use that the slim variant lacks, or None."""
    jre = "jre" in slim
    alpine = "alpine" in slim
    installed: set[str] = set()
    for stage in image:
        for instr in stage.instructions:
            words = _start_words(instr)
            if instr.keyword == "ENV" and re.search(r"/usr/(local/openjdk|lib/jvm|java/openjdk)", instr.args):
                return f"the JDK path {instr.args.strip()}"
            for word in words:
                name = word.rsplit("/", 1)[-1]
                if name in FULL_IMAGE_PROGRAMS and _package_of(name) not in installed:
                    return f"{name}, which {instr.keyword} line {instr.line} runs"
                if jre and name in JDK_TOOLS:
                    return f"{name}, which {instr.keyword} line {instr.line} runs"
            if instr.keyword != "RUN":
                continue
            for cmd in ctx.shell(instr).commands:
                name = program(cmd)
                manager = _manager(cmd)
                if manager is not None and manager != ("apk" if alpine else "apt"):
                    return f"{name}: it is another distribution"
                if manager is not None:
                    installed.update(_bare(p) for p in _installed_packages(cmd))
                elif jre and name in JDK_TOOLS:
                    return f"{name} (line {instr.line}): a JRE has no JDK tools"
                elif name in FULL_IMAGE_PROGRAMS and _package_of(name) not in installed:
                    return f"{name} (line {instr.line}), which the full image has"
                elif _compiles_natively(cmd) and not installed & COMPILERS:
                    return f"a compiler for `{name}` (line {instr.line}), which may build native code"
    return None


def _start_words(instr: Instruction) -> list[str]:
    """The programs a CMD, ENTRYPOINT or HEALTHCHECK may run (its words)."""
    if instr.keyword not in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
        return []
    if instr.exec_form is not None:
        return list(instr.exec_form)
    return [word.value for word in instr.words]


def _compiles_natively(cmd: Command) -> bool:
    name = program(cmd)
    if name in ("python", "python3") and cmd.values[:2] == ("-m", "pip"):
        return "install" in cmd.values
    if name in NATIVE_INSTALLS:
        return dependency_step(cmd) is not None or cmd.has_args("install") or cmd.has_args("add") or name == "node-gyp"
    return compile_step(cmd) is not None


def _package_of(program_name: str) -> str:
    return PROGRAM_PACKAGES.get(program_name, program_name)


def _bare(package: str) -> str:
    return re.split(r"[=<>~]", package, maxsplit=1)[0].lower()


def _manager(cmd: Command) -> str | None:
    name = program(cmd)
    if name in ("apt-get", "apt"):
        return "apt"
    if name == "apk":
        return "apk"
    if name in ("yum", "dnf", "microdnf", "zypper"):
        return name
    return None


def _installed_packages(cmd: Command) -> list[str]:
    words = cmd.args_no_flags()
    verb = "add" if program(cmd) == "apk" else "install"
    if verb not in words:
        return []
    packages = [word for word in words[words.index(verb) + 1 :] if not word.startswith("-")]
    if "build-essential" in packages or "build-base" in packages:
        packages.extend(("gcc", "g++", "make"))
    return packages


# OS packages


@dataclass
class _Group:
    """Consecutive RUNs of a stage that only update, install and clean OS packages."""

    instructions: list[Instruction]
    commands: list[tuple[str, Command]]
    """(the command's text, the command)."""


def _consolidate(ctx: LintContext, stage: Stage, image: list[Stage], multi_stage: bool, plan: _Plan) -> None:
    groups: list[_Group] = []
    previous: Instruction | None = None
    for instr in stage.instructions:
        commands = _package_commands(ctx, instr)
        if commands is None:
            previous = None
            continue
        if previous is not None and groups and groups[-1].instructions[-1] is previous:
            groups[-1].instructions.append(instr)
            groups[-1].commands.extend(commands)
        else:
            groups.append(_Group([instr], commands))
        previous = instr
    later_uses = _later_package_use(ctx, stage, image)
    for group in groups:
        if not any(_installed_packages(cmd) for _, cmd in group.commands):
            continue
        _rewrite(ctx, group, later_uses(group.instructions[-1]), multi_stage, image, plan)


def _package_commands(ctx: LintContext, instr: Instruction) -> list[tuple[str, Command]] | None:
    """The commands of a RUN that only updates, installs and cleans OS packages, joined by `&&`/`;`; else None."""
    if instr.keyword != "RUN" or instr.flags or instr.heredocs or instr.exec_form is not None:
        return None
    scripts = ctx.shell(instr).scripts
    if len(scripts) != 1 or not scripts[0].exact or scripts[0].has_pipes or scripts[0].has_errors:
        return None
    script = scripts[0]
    commands = script.commands
    if not commands or not all(cmd.top_level_step for cmd in commands) or not _joined_plainly(script):
        return None
    out = []
    for n, cmd in enumerate(commands):
        if not (_is_package_step(cmd) or _is_cleanup(cmd) or (n == 0 and _sets_options(cmd))):
            return None
        out.append((script.text[cmd.start : cmd.end], cmd))
    return out


def _sets_options(cmd: Command) -> bool:
    """`set -eux`, `set -o errexit`: options only, which the `&&` chain the group becomes keeps meaning."""
    options = ("errexit", "nounset", "xtrace", "pipefail")
    return cmd.name == "set" and bool(cmd.args) and all(w.value[:1] in "-+" or w.value in options for w in cmd.args)


def _joined_plainly(script: ShellScript) -> bool:
    """Whether the script's commands follow one another by `&&` or `;` only (no other syntax between)."""
    ends = [cmd.end for cmd in script.commands]
    starts = [cmd.start for cmd in script.commands]
    if script.text[: starts[0]].strip() or script.text[ends[-1] :].strip().rstrip(";").strip():
        return False
    return all(script.text[end:start].strip() in ("&&", ";") for end, start in zip(ends, starts[1:]))


def _is_package_step(cmd: Command) -> bool:
    name = program(cmd)
    words = cmd.args_no_flags()
    if name in ("apt-get", "apt"):
        return bool(words) and words[0] in _APT_VERBS
    if name == "apk":
        return bool(words) and words[0] in _APK_VERBS
    if name in RPM_MANAGERS:
        return bool(words) and words[0] in _RPM_VERBS
    return False


def _is_cleanup(cmd: Command) -> bool:
    """`rm -rf /var/lib/apt/lists/*` and the like: removes only package caches."""
    paths = cmd.args_no_flags()
    return program(cmd) == "rm" and bool(paths) and all(_CLEANED.match(path) for path in paths)


def _later_package_use(ctx: LintContext, stage: Stage, image: list[Stage]):
    """For an instruction: whether a later RUN of the image installs from package lists it does not fetch."""
    after = [i for s in image[image.index(stage) :] for i in s.instructions if i.keyword == "RUN"]

    def uses(instr: Instruction) -> bool:
        rest = after[next(n for n, i in enumerate(after) if i is instr) + 1 :]
        for later in rest:
            commands = ctx.shell(later).commands
            installs = [n for n, cmd in enumerate(commands) if is_apt_get_install(cmd)]
            updates = [n for n, cmd in enumerate(commands) if updates_package_lists(cmd)]
            if installs and not (updates and updates[0] < installs[0]):
                return True
            apk = [cmd for cmd in commands if program(cmd) == "apk" and cmd.has_args("add")]
            if any(not cmd.has_flag("no-cache") for cmd in apk) and not any(
                program(cmd) == "apk" and cmd.has_args("update") for cmd in commands
            ):
                return True
        return False

    return uses


def _rewrite(
    ctx: LintContext, group: _Group, lists_needed_later: bool, multi_stage: bool, image: list[Stage], plan: _Plan
) -> None:
    """One RUN for the group: the first update, the installs (without recommends, without build tools), the
    package lists removed at the end; recorded only when it gains something."""
    dropped: list[str] = []
    kept: list[str] = []
    updated = installs = removes_lists = False
    gains: list[str] = []
    build_tools = _removable_build_tools(ctx, group, image) if multi_stage else set()
    keep_recommends, certificates = _recommends(ctx, group, image)
    # `apk upgrade` reads the index `apk update` fetched (only `apk add --no-cache` fetches its own)
    upgrades = any(program(c) == "apk" and c.args_no_flags()[:1] == ["upgrade"] and not c.has_flag("no-cache")
                   for _, c in group.commands)  # fmt: skip
    for text, cmd in group.commands:
        name = program(cmd)
        if removes_apt_lists(cmd) and _is_cleanup(cmd):
            removes_lists = True
            continue
        if name in ("apt-get", "apt") and updates_package_lists(cmd):
            if updated:
                continue
            updated = True
        if name == "apk" and cmd.has_args("update") and not lists_needed_later and not upgrades:
            gains.append("`apk update` dropped (`apk add --no-cache` fetches the index)")
            continue
        if _installed_packages(cmd):
            text, removed, added = _install_text(text, cmd, build_tools, keep_recommends, certificates)
            certificates = certificates and program(cmd) == "apk"
            dropped.extend(removed)
            gains.extend(added)
            if text is None:
                continue
            installs = True
        kept.append(text)
    apt = any(program(cmd) in ("apt-get", "apt") for _, cmd in group.commands)
    if apt and installs and (removes_lists or not lists_needed_later):
        kept.append(f"rm -rf {APT_LISTS}/*")
        if not removes_lists:
            gains.append("package lists removed in the same layer")
    new = "RUN " + " \\\n    && ".join(kept) if installs else ""
    first, last = group.instructions[0], group.instructions[-1]
    old = ctx.document.text[first.span.start : last.span.end]
    if len(group.instructions) == 1 and not gains and not dropped:
        return
    comments = [line for line in old.splitlines() if line.lstrip().startswith("#")]
    plan.edits.append(Edit(first.span.start, last.span.end, "\n".join([*comments, new]) if new else "\n".join(comments)))
    lines = ", ".join(str(instr.line) for instr in group.instructions)
    if len(group.instructions) > 1:
        plan.changes.append(Change("layers", f"the OS package RUNs of lines {lines} merged into one layer"))
    if gains:
        plan.changes.append(Change("os-packages", f"line {lines}: {'; '.join(dict.fromkeys(gains))}"))
    if dropped:
        plan.changes.append(
            Change("toolchain", f"{', '.join(sorted(set(dropped)))} left out of the image: nothing in it builds")
        )


def _install_text(
    text: str, cmd: Command, build_tools: set[str], keep_recommends: str | None, certificates: bool
) -> tuple[str | None, list[str], list[str]]:
    """An install command with `--no-install-recommends`/`--no-cache` (unless `keep_recommends` says why not;
    with `ca-certificates` named when `certificates`) and without the removable build tools:
    (its text, None when nothing is left to install; the packages removed; what was added)."""
    offset = cmd.start
    removed = [word for word in cmd.args if _bare(word.value) in build_tools]
    named = [p for p in _installed_packages(cmd) if p in cmd.values]
    if removed and len(removed) == len(named):
        return None, [word.value for word in removed], []
    edits = [Edit(word.start - offset, word.end - offset, "") for word in removed]
    added: list[str] = []
    verb = next(word for word in cmd.args if word.value in ("install", "add"))
    if program(cmd) == "apk" and not cmd.has_flag("no-cache"):
        edits.append(Edit.insert(verb.end - offset, " --no-cache"))
        added.append("`apk add --no-cache`")
    if program(cmd) in RPM_MANAGERS:
        lean = [option for option, setting in _RPM_LEAN[program(cmd)] if setting not in text]
        if keep_recommends is not None and _NO_WEAK_DEPS[0] in lean:
            lean.remove(_NO_WEAK_DEPS[0])
            added.append(f"weak dependencies kept: {keep_recommends}")
        if lean:
            edits.append(Edit.insert(verb.end - offset, " " + " ".join(lean)))
            added.append(f"`{program(cmd)} install {' '.join(lean)}`")
    elif program(cmd) != "apk" and not cmd.has_flag("no-install-recommends") and "Install-Recommends" not in text:
        if keep_recommends is not None:
            added.append(f"recommended packages kept: {keep_recommends}")
        else:
            edits.append(Edit.insert(verb.end - offset, " --no-install-recommends"))
            added.append("`--no-install-recommends`")
            if certificates:
                edits.append(Edit.insert(cmd.args[-1].end - offset, " ca-certificates"))
                added.append("`ca-certificates` named (a recommended package HTTPS needs)")
    new = re.sub(r"  +", " ", apply_edits(text, edits)).rstrip()
    return new, [word.value for word in removed], added


TLS_CLIENTS = frozenset({"curl", "wget", "git", "libcurl4", "libcurl3-gnutls", "openssl", "gnupg", "gpg"})
"""Packages whose HTTPS use needs `ca-certificates`, which they only recommend (curl, wget, git …)."""
KEEP_RECOMMENDS = {
    "python3-pip": "python3-pip recommends build-essential and python3-dev, which pip needs for source packages",
}
"""Packages whose recommended packages later steps commonly rely on, without a fixed list codi could name."""
_SSH_URL = re.compile(r"\bgit@[\w.-]+:|\bssh://")


def _recommends(ctx: LintContext, group: _Group, image: list[Stage]) -> tuple[str | None, bool]:
    """Whether the group's installs keep their recommended packages (why, or None) and whether `ca-certificates`
    must be named: without recommends a TLS client it installs, or an `https://` download later in the image,
    would find no CA certificates on a slim base."""
    packages = {_bare(p) for _, cmd in group.commands for p in _installed_packages(cmd)}
    installed = {
        _bare(p)
        for stage in image
        for instr in stage.instructions
        if instr.keyword == "RUN"
        for cmd in ctx.shell(instr).commands
        if _manager(cmd) is not None
        for p in _installed_packages(cmd)
    }
    runs = ("RUN", "HEALTHCHECK", "CMD", "ENTRYPOINT")
    text = "\n".join(instr.args for stage in image for instr in stage.instructions if instr.keyword in runs)
    keep = next((why for package, why in KEEP_RECOMMENDS.items() if package in packages), None)
    if keep is None and "git" in packages and _SSH_URL.search(text):
        keep = "git recommends openssh-client, which the image's ssh URLs need"
    uses_tls = bool(packages & TLS_CLIENTS) or "https://" in text
    return keep, uses_tls and "ca-certificates" not in installed


def _removable_build_tools(ctx: LintContext, group: _Group, image: list[Stage]) -> set[str]:
    """Compilers and build helpers the group installs that nothing later in the image uses."""
    candidates = {
        _bare(p)
        for _, cmd in group.commands
        for p in _installed_packages(cmd)
        if (is_toolchain_package(p) or is_build_helper_package(p) or _bare(p) in ("git", "build-essential"))
        and not _bare(p).endswith(("-dev", "-devel"))
    }
    if not candidates:
        return set()
    last = group.instructions[-1]
    later = False
    for stage in image:
        for instr in stage.instructions:
            if instr is last:
                later = True
                continue
            if not later:
                continue
            if instr.keyword == "RUN" and any(
                _compiles_natively(cmd) or program(cmd) in FULL_IMAGE_PROGRAMS or dependency_step(cmd)
                for cmd in ctx.shell(instr).commands
            ):
                return set()
            if any(word.rsplit("/", 1)[-1] in candidates | FULL_IMAGE_PROGRAMS for word in _start_words(instr)):
                return set()
    return candidates


# Consecutive RUNs

POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash"})
_SHELL_SWAPS = frozenset({"dpkg-reconfigure", "update-alternatives", "chsh"})
"""Programs that may replace /bin/sh, which a later RUN (but not the rest of the same shell) starts with."""
_DAEMON_STARTERS = frozenset(
    {"service", "systemctl", "rc-service", "openrc", "pg_ctl", "pg_ctlcluster", "mysqld_safe", "supervisord", "dockerd"}
)
"""Programs that leave a server running after they return: a RUN's processes end with it, so a later RUN merged
into its shell would find the server up (and `pg_ctl start` fails on a running one)."""
_WINDOWS = re.compile(r"windows|nanoserver|servercore", re.IGNORECASE)


def _merge_runs(ctx: LintContext, stage: Stage, root: str, plan: _Plan) -> None:
    """Consecutive RUNs (DL3059) of a plain command or an `&&` chain with the same flags become one RUN chained by
    `&&`; the first may be any list (`_opening_list`).

    Each RUN starts a new shell, so a command that changes the shell's own state (`cd`, `export`, `set`,
    `source`, `umask` … any builtin) or may replace /bin/sh would act on the commands after it once they share
    its shell: such a RUN ends a group. A failing command still fails the build (`&&`), and the later command
    runs as before in the same directory, user and environment (the instructions between are none). Not under a
    shell that reads a start-up file before each RUN (a login or interactive bash, `BASH_ENV`).
    """
    if ctx.document.escape != "\\" or _WINDOWS.search(root) or "BASH_ENV" in ctx.document.text:
        return
    group: list[tuple[Instruction, str]] = []
    for instr in [*stage.instructions, None]:
        command = _plain_chain(ctx, instr, plan) if instr is not None else None
        if group and (command is None or _flags(instr) != _flags(group[-1][0]) or not _keeps_shell(ctx, group[-1][0])):
            if len(group) > 1:
                _merge(ctx, group, plan)
            group = []
        if command is None and instr is not None:
            command = _opening_list(ctx, instr, plan)
        if command is not None:
            group.append((instr, command))


def _mergeable_script(ctx: LintContext, instr: Instruction, plan: _Plan) -> ShellScript | None:
    """The one exact script of a shell-form RUN without heredoc, comment or bare assignment, under a POSIX shell and
    untouched by the plan's other edits, whose command names are no variables; else None."""
    if instr.keyword != "RUN" or instr.heredocs or instr.exec_form is not None or instr.comments:
        return None
    if not _plain_shell(ctx.model.shell_at(instr)):
        return None
    if any(edit.start <= instr.span.end and edit.end >= instr.span.start for edit in plan.edits):
        return None
    scripts = ctx.shell(instr).scripts
    if len(scripts) != 1 or not scripts[0].exact or scripts[0].has_errors or scripts[0].assignments:
        return None
    if not scripts[0].commands or any("$" in cmd.name or "`" in cmd.name for cmd in scripts[0].commands):
        return None
    return scripts[0]


def _plain_chain(ctx: LintContext, instr: Instruction, plan: _Plan) -> str | None:
    """The source text of a RUN (`_mergeable_script`) that runs one plain command or an `&&` chain of them (no `;`,
    `||`, pipe, redirection, group or substitution); else None.

    Only `&&`: a RUN fails when its last command fails, so `a; b` after `x &&` would run b once x failed and pass.
    """
    script = _mergeable_script(ctx, instr, plan)
    if script is None:
        return None
    commands = script.commands
    if not all(cmd.top_level_step for cmd in commands):
        return None
    first, last = commands[0], commands[-1]
    if script.text.strip() != script.text[first.start : last.end]:
        return None
    if any(script.text[a.end : b.start].strip() != "&&" for a, b in zip(commands, commands[1:])):
        return None
    return ctx.document.text[instr.args_map.to_source(first.start) : instr.args_map.end_to_source(last.end)]


def _opening_list(ctx: LintContext, instr: Instruction, plan: _Plan) -> str | None:
    """The source text of a RUN (`_mergeable_script`) that may open a group though it is no `&&` chain: `a; b`,
    `a || b`, `a | b > f` followed by `&& x` run x exactly when the RUN passed, since `&&` binds the whole list
    before it. Only when the script ends where its last statement does (no trailing `&`, comment, group or loop)
    and starts with its first command (no `!`, `(`); else None."""
    script = _mergeable_script(ctx, instr, plan)
    if script is None:
        return None
    ends = [cmd.statement_end for cmd in script.commands if cmd.statement_end is not None]
    text = script.text.rstrip()
    begin = len(script.text) - len(script.text.lstrip())
    if not ends or max(ends) != len(text) or min(cmd.start for cmd in script.commands) != begin:
        return None
    return ctx.document.text[instr.args_map.to_source(begin) : instr.args_map.end_to_source(len(text))]


def _plain_shell(shell: tuple[str, ...]) -> bool:
    """A POSIX shell that reads no start-up file: a login or interactive shell (`bash -l -c`) runs the profile a
    previous RUN may have written (`conda init`, nvm) before each RUN, which a merged command would miss."""
    if not shell or shell[0].rsplit("/", 1)[-1] not in POSIX_SHELLS:
        return False
    options = [arg for arg in shell[1:] if arg.startswith("-")]
    return not any(arg in ("--login", "--rcfile", "--init-file") or (arg[1:2] != "-" and set(arg[1:]) & set("il"))
                   for arg in options)  # fmt: skip


def _flags(instr: Instruction) -> list[tuple[str, str | None]]:
    return sorted((flag.name, flag.value) for flag in instr.flags)


def _keeps_shell(ctx: LintContext, instr: Instruction) -> bool:
    """Whether the commands of `instr` leave the shell as they found it, so a command may follow them there."""
    return all(
        program(cmd) not in SHELL_BUILTINS
        and program(cmd) not in _SHELL_SWAPS
        and program(cmd) not in _DAEMON_STARTERS
        and not cmd.name.startswith("/etc/init.d/")
        and "--daemonize" not in cmd.values
        and not any(word.value.startswith(("/bin/sh", "/usr/bin/sh")) for word in cmd.args)
        for cmd in ctx.shell(instr).commands
    )


def _without_continuations(prefix: str) -> str:
    """`RUN` and its flags without the blanks and line continuations after them: `RUN \\` + newline + `rm …` must not
    become `RUN \\ rm` (a backslash-space is a literal space, the command would be named " rm")."""
    prefix = prefix.rstrip()
    while prefix.endswith("\\"):
        prefix = prefix[:-1].rstrip()
    return prefix


def _merge(ctx: LintContext, group: list[tuple[Instruction, str]], plan: _Plan) -> None:
    first, last = group[0][0], group[-1][0]
    prefix = _without_continuations(ctx.document.text[first.span.start : first.args_map.to_source(0)])
    old = ctx.document.text[first.span.start : last.span.end]
    comments = [line for line in old.splitlines() if line.lstrip().startswith("#")]
    new = prefix + " " + " \\\n    && ".join(text for _, text in group)
    plan.edits.append(Edit(first.span.start, last.span.end, "\n".join([*comments, new])))
    lines = ", ".join(str(instr.line) for instr, _ in group)
    plan.changes.append(
        Change("layers", f"the consecutive RUNs of lines {lines} (plain commands and `&&` chains after the first) "
               "chained with `&&` into one layer (none changes its shell's directory, variables or options for the "
               "next)")  # fmt: skip
    )


# Cache mounts


def _cache_mounts(ctx: LintContext, stage: Stage, plan: _Plan) -> None:
    if any(instr.keyword == "USER" for instr in stage.instructions):
        return
    copied = " ".join(
        instr.args for s in ctx.model.stages for instr in s.instructions if instr.keyword == "COPY" and instr.flag("from")
    )
    if any(s.parent is stage for s in ctx.model.stages):
        return
    by_tool: dict[str, list[Instruction]] = {}
    blocked: set[str] = set()
    for instr in stage.instructions:
        if instr.keyword != "RUN":
            continue
        for cmd in ctx.shell(instr).commands:
            tool = dependency_step(cmd) or _tool_of(program(cmd))
            if tool is None or not tool.cache_dirs:
                continue
            if instr.exec_form is not None or instr.heredocs or cmd.has_any_flag("no-cache-dir", "no-cache"):
                blocked.add(tool.name)
            by_tool.setdefault(tool.name, [])
            if instr not in by_tool[tool.name]:
                by_tool[tool.name].append(instr)
    mounted: dict[int, list[str]] = {}
    for name, instructions in by_tool.items():
        if name in blocked:
            continue
        tool = DEPENDENCY_TOOLS[name]
        targets = [cache_target(fragment) for fragment in (tool.cache_dirs if name == "go" else tool.cache_dirs[:1])]
        if any(target in copied for target in targets):
            continue
        for instr in instructions:
            missing = [t for t in targets if not has_cache_mount(instr, t)]
            if missing:
                mounted.setdefault(id(instr), []).extend(missing)
                offset = instr.keyword_span.end
                flags = "".join(f" --mount=type=cache,target={target}" for target in missing)
                plan.edits.append(Edit.insert(offset, flags))
        if any(id(instr) in mounted for instr in instructions):
            plan.changes.append(
                Change("cache-mount", f"{name} in stage {stage.name} keeps its cache in a cache mount: "
                       f"{', '.join(targets)}, not fetched again on every build")  # fmt: skip
            )


def _tool_of(name: str) -> DependencyTool | None:
    """The dependency tool whose cache a program reads (`go build` the module cache, `dotnet publish` NuGet's)."""
    return next(
        (tool for tool in DEPENDENCY_TOOLS.values() if name in TOOL_PROGRAMS.get(tool.name, frozenset({tool.name}))),
        None,
    )


# Non-root user

INTERPRETERS = frozenset({"python", "python3", "node", "java", "ruby", "dotnet", "php", "perl", "deno", "bun"})
APP_SERVERS = frozenset(
    {
        "gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "celery", "flask", "fastapi", "streamlit",
        "puma", "rackup", "unicorn", "thin", "rails",
    }
)  # fmt: skip
"""Servers that run the application's own code (Python console scripts, Ruby servers) as whatever user starts them."""
ROOT_DAEMONS = frozenset(
    {
        "nginx", "httpd", "apache2", "apache2ctl", "apache2-foreground", "php-fpm", "postgres", "mysqld", "mariadbd",
        "redis-server", "supervisord", "cron", "crond", "sshd", "haproxy", "squid", "named", "dnsmasq", "openvpn",
        "systemd", "s6-svscan", "runsvdir", "gosu", "su-exec", "su", "sudo", "dockerd", "caddy", "frankenphp",
    }
)  # fmt: skip
"""Programs that start as root and drop privileges themselves, or need root (ports, other users' files)."""
_SCRIPT_LIKE = re.compile(r"\.(sh|bash)$|entrypoint|init|start|run|supervis")
"""Start programs that are likely wrapper scripts (which may switch users with gosu/su-exec themselves)."""
_PORT_SETTINGS = re.compile(r"\bASPNETCORE_(URLS|HTTP_PORTS|HTTP_PORT)\b|\bDOTNET_URLS\b")
"""ENV names that move an ASP.NET Core application off its image's default port."""
_SHELLS = POSIX_SHELLS | {"zsh", "ksh", "fish", "pwsh", "powershell"}
_INIT_WRAPPERS = frozenset({"tini", "dumb-init", "catatonit"})
_PRIVILEGED_PORTS = 1024
_HANDING_OVER = {"node": "docker-entrypoint.sh"}
"""Official images whose own ENTRYPOINT only hands over to the command (node's runs `node` for a script
argument); other images' docker-entrypoint.sh (postgres, redis) switch users themselves."""


def _non_root(image: list[Stage], start: StartCommand, stack: str, plan: _Plan) -> None:
    """A numeric non-root user (the `security` module's, as the multi-stage candidates add it) when the image
    runs the application as root; the application's WORKDIR and what is copied into it become that user's."""
    instructions = [instr for stage in image for instr in stage.instructions]
    if any(instr.keyword == "USER" for instr in instructions):
        return
    root = _base_image(image[0])
    tool = account_tool(root)
    blocker = _non_root_blocker(instructions, start, tool, root)
    if blocker is not None:
        plan.notes.append(f"no non-root user: {blocker}")
        return
    copies, workdir = _workdir_copies(instructions)
    if workdir is None:
        plan.notes.append("no non-root user: the application has no WORKDIR of its own to make the user's")
        return
    security = load_modules()["security"]
    values = security.arguments({"family": "alpine" if tool == "adduser" else "debian", "writable": workdir})
    chown = f" --chown={values['uid']}:{values['gid']}"
    for instr in copies:
        plan.edits.append(Edit.insert(instr.keyword_span.end, chown))
    final = image[-1]
    built = [instr for instr in final.instructions if instr.keyword in ("RUN", "COPY", "ADD", "WORKDIR")]
    after = built[-1] if built else final.from_instr
    injection = inject("#--MODULE:security--#\n", [("security", values)], {}, stack)
    plan.edits.append(Edit.insert(after.span.end, "\n" + injection.text.rstrip("\n")))
    plan.changes.extend(injection.changes)
    copied = f" and the {len(copies)} COPY/ADD into it (--chown)" if copies else ""
    plan.changes.append(
        Change("ownership", f"{workdir}{copied} belong to the non-root user, so the application can write there as "
               "it could as root")  # fmt: skip
    )


def _non_root_blocker(instructions: list[Instruction], start: StartCommand, tool: str | None, root: str) -> str | None:
    """Why the image cannot simply run as a non-root user, or None."""
    if tool is None:
        return f"codi does not know that {root or 'the base'} runs as root or how it adds a user"
    if not tool:
        return f"{root} has no shell to give the user the application's folder (the classic builder's WORKDIR " \
               "makes it root's and COPY --chown owns only what it copies, so an application creating files " \
               "there would fail)"  # fmt: skip
    for instr in instructions:
        if instr.keyword in ("ONBUILD", "SHELL"):
            return f"line {instr.line}: {instr.keyword} (its steps in other images would run as the user)"
        if instr.keyword == "VOLUME" and not _scratch_volumes(instr):
            return f"line {instr.line}: VOLUME {instr.args.strip()} (the application writes there, and a volume may " \
                   "be a bind mount owned by the host's user, which only root could write; a /tmp volume is no " \
                   "obstacle: it is world-writable)"  # fmt: skip
        if instr.keyword == "EXPOSE":
            ports = [int(n) for n in re.findall(r"(?<![\w$])(\d+)(?:/\w+)?", instr.args)]
            if any(port < _PRIVILEGED_PORTS for port in ports):
                return f"line {instr.line}: EXPOSE of a port below {_PRIVILEGED_PORTS}, which needs root to bind"
    settings = [instr for instr in instructions if instr.keyword == "ENV" and _PORT_SETTINGS.search(instr.args)]
    ports = [int(n) for instr in settings for n in re.findall(r"[:=,;](\d+)\b", instr.args)]
    port = default_port(root)
    if not settings and port is not None and port < _PRIVILEGED_PORTS:
        return f"{root} makes the application listen on port {port}, which needs root to bind"
    if any(port < _PRIVILEGED_PORTS for port in ports):
        return f"line {settings[0].line}: the application listens on a port below {_PRIVILEGED_PORTS}"
    program_name = _application(start, root)
    if program_name is None:
        return "the start command is not an application codi knows runs unprivileged (a shell, a script, a " \
               "daemon that drops privileges itself, a tool of the base image, or none)"  # fmt: skip
    return None


SCRATCH_DIRECTORIES = frozenset({"/tmp", "/var/tmp"})
"""World-writable (sticky) directories in every base image with a shell: a volume there takes that mode."""


def _scratch_volumes(instr: Instruction) -> bool:
    """Whether a VOLUME declares only scratch directories, which every user may write."""
    paths = argument_values(instr)
    return bool(paths) and all(posixpath.normpath(path) in SCRATCH_DIRECTORIES for path in paths)


def _application(start: StartCommand, root: str) -> str | None:
    """The program of a start command that runs the application's own code: an interpreter, an application
    server, or a program given by its path that is not a wrapper script or a privilege-dropping daemon."""
    argv = list(start.resolved or (start.exec_conversion if start.shell_form else None) or start.argv or ())
    if argv[:2] in (["/bin/sh", "-c"], ["sh", "-c"]):
        return None
    if argv[:1] == [_HANDING_OVER.get(docker_hub_name(parse_image(root)) or "")]:
        argv = argv[1:]
    while argv and argv[0].rsplit("/", 1)[-1] in _INIT_WRAPPERS:
        argv = argv[argv.index("--") + 1 :] if "--" in argv else [w for w in argv[1:] if not w.startswith("-")]
    if argv[:2] == ["bundle", "exec"]:
        argv = argv[2:]
    if not argv:
        return None
    path = argv[0]
    name = path.rsplit("/", 1)[-1]
    if name in _SHELLS:
        return None
    if name.rstrip("0123456789.") in INTERPRETERS or name in APP_SERVERS:
        return name
    if "/" in path and name not in ROOT_DAEMONS and not _SCRIPT_LIKE.search(name) and "$" not in path:
        return name
    return None


def _workdir_copies(instructions: list[Instruction]) -> tuple[list[Instruction], str | None]:
    """The image's last WORKDIR (absolute, no variable, not `/`) and the COPY/ADD without `--chown` whose
    destination lies in it."""
    workdir: str | None = None
    copies: list[tuple[Instruction, str]] = []
    for instr in instructions:
        if instr.keyword == "WORKDIR":
            value = instr.args.strip()
            joined = posixpath.normpath(posixpath.join(workdir or "/", value)) if "$" not in value else None
            workdir = joined if workdir is not None or value.startswith("/") else None
        elif instr.keyword in ("COPY", "ADD") and instr.flag("chown") is None:
            values = argument_values(instr)
            if len(values) < 2 or "$" in values[-1] or (workdir is None and not values[-1].startswith("/")):
                continue
            copies.append((instr, posixpath.normpath(posixpath.join(workdir or "/", values[-1]))))
    if workdir is None or workdir == "/":
        return [], None
    return [instr for instr, path in copies if within(path, workdir)], workdir
