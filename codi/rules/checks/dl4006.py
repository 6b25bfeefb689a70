"""DL4006: set `-o pipefail` before a RUN with a pipe."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Comment, Instruction
from codi.pipeline.semantic import DEFAULT_SHELL, Stage
from codi.pipeline.shell import ShellScript, parse_script
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import root_stage

_PIPEFAIL_SHELLS = frozenset({"bash", "zsh", "ash"})
_ASH_SHELL = '["/bin/ash", "-o", "pipefail", "-c"]'
_BASH_SHELL = '["/bin/bash", "-o", "pipefail", "-c"]'
_ALPINE_IMAGES = frozenset({"alpine"})
_SH_IS_BASH_IMAGES = frozenset({"almalinux", "amazonlinux", "centos", "fedora", "oraclelinux", "rockylinux"})
"""Official images whose /bin/sh already is bash: only pipefail changes."""
_SH_IS_DASH_IMAGES = frozenset(
    {
        "amazoncorretto", "buildpack-deps", "debian", "eclipse-temurin", "elixir", "erlang", "gcc", "golang",
        "gradle", "haskell", "maven", "node", "openjdk", "perl", "php", "python", "r-base", "ruby", "rust",
        "ubuntu",
    }
)
"""Official Debian/Ubuntu-based images (bash installed, /bin/sh is dash) unless the tag says alpine."""
_NON_LINUX_TAGS = ("windows", "nanoserver", "servercore")
_SIGPIPE_SOURCES = frozenset({"yes"})
_EARLY_EXIT_READERS = frozenset({"head"})


class MissingPipefail(Rule):
    """## What it does
    Reports a `RUN` whose script has a pipe while the `SHELL` in effect is
    not bash, zsh or ash started with `-o pipefail`. `SHELL`s that are not
    POSIX (PowerShell, cmd) are left alone.

    Two hadolint false positives are avoided: a stage built `FROM` an earlier
    stage inherits that stage's `SHELL` (hadolint forgets it at every
    `FROM`), and a script that starts with `set -o pipefail` (or
    `set -euo pipefail`) is fine.

    ## Why is this bad?
    A pipeline's status is that of its last command: in
    `RUN curl -fsSL $URL | tar -xz` a failed download still lets the build
    go on with nothing extracted. With `pipefail` any failing stage fails the
    `RUN`. `/bin/sh` on Debian (dash) has no `pipefail`, hence `SHELL`.

    ## Example
    ```dockerfile
    FROM debian:12
    RUN curl -fsSL https://example.com/app.tgz | tar -xz
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12
    SHELL ["/bin/bash", "-o", "pipefail", "-c"]
    RUN curl -fsSL https://example.com/app.tgz | tar -xz
    ```

    ## Fix safety
    The fix inserts a `SHELL` line (indented like the `RUN`, above the
    comments directly over it so `# hadolint ignore=` pragmas stay attached)
    before the first reported `RUN` of the stage. It is offered only when the
    default shell is in effect and the stage's base image (followed through
    earlier stages, ARG defaults resolved) is known:

    - Alpine (`alpine`, or an official image with an `alpine` tag):
      `SHELL ["/bin/ash", "-o", "pipefail", "-c"]`. `/bin/sh` already is
      busybox ash there, which supports `pipefail`, so only `pipefail`
      changes. Safe.
    - RHEL family (`fedora`, `rockylinux`, `almalinux`, `centos`,
      `amazonlinux`, `oraclelinux`), where `/bin/sh` already is bash:
      `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`. Safe.
    - Official Debian/Ubuntu-based images (`debian`, `ubuntu`, `python`,
      `node`, `golang`, `ruby`, …): the same bash `SHELL`. bash is installed,
      but `/bin/sh` is dash, so the fix is safe only when the affected
      scripts look the same to both shells; it is unsafe when they use
      `echo` with `-e` or a backslash (dash's echo expands escapes), a brace
      expansion such as `{a,b}`.

    The fix is also unsafe, whatever the image, when a shell-form `CMD`,
    `ENTRYPOINT` or `HEALTHCHECK` follows in the stage (the container or its
    health probe would start under the new shell, with `pipefail`), when a
    later stage is built on this one (it inherits the `SHELL`), or when an affected script has `yes |` or
    `| head` / `| grep -q`: with `pipefail` the writer's SIGPIPE fails the
    build, which is the rule's intent but may break a build that works
    today. Other images (busybox, distroless, scratch, unknown or
    variable bases) get no fix.

    ## References
    - hadolint DL4006
    - https://github.com/hadolint/hadolint/wiki/DL4006
    """

    code = "DL4006"
    severity = Severity.WARNING
    message = (
        "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh in an alpine "
        "image or if your shell is symlinked to busybox then consider explicitly setting your SHELL to /bin/ash, "
        "or disable this check"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        anchor_fix: Fix | None = None
        anchored = False
        for instr in ctx.instructions():
            if instr.keyword in ("FROM", "SHELL"):
                anchor_fix, anchored = None, False
                continue
            if instr.keyword != "RUN" or not _lacks_pipefail(ctx, instr):
                continue
            if not anchored:
                anchor_fix, anchored = _shell_fix(ctx, instr), True
            yield self.finding(instr, fix=anchor_fix)


def has_pipefail(shell: tuple[str, ...]) -> bool:
    """Whether a SHELL is bash, zsh or ash with `-o pipefail` (hadolint's test, any install path)."""
    return any(
        cmd.name.rsplit("/", 1)[-1] in _PIPEFAIL_SHELLS and cmd.has_flag("o") and cmd.has_args("pipefail")
        for cmd in parse_script(" ".join(shell)).commands
    )


def _lacks_pipefail(ctx: LintContext, instr: Instruction) -> bool:
    if not ctx.is_posix_shell(instr) or has_pipefail(ctx.model.shell_at(instr)):
        return False
    return any(script.has_pipes and not _starts_with_pipefail(script) for script in ctx.shell(instr).scripts)


def _starts_with_pipefail(script: ShellScript) -> bool:
    """Whether the script's first command is `set … -o pipefail` (then every later pipe is covered)."""
    if not script.commands:
        return False
    first = min(script.commands, key=lambda cmd: cmd.start)
    before = [line.strip() for line in script.text[: first.start].splitlines()]
    if any(line and not line.startswith("#") for line in before):
        return False
    return first.name == "set" and first.has_flag("o") and first.has_args("pipefail")


def _shell_fix(ctx: LintContext, run: Instruction) -> Fix | None:
    stage = ctx.stage_of(run)
    if stage is None or ctx.model.shell_at(run) != DEFAULT_SHELL:
        return None
    family = _image_family(stage)
    if family is None:
        return None
    affected = _affected(stage, run)
    scripts = [script for instr in affected if instr.keyword == "RUN" for script in ctx.shell(instr).scripts]
    risky = (
        _has_descendants(ctx, stage)
        or _shell_form_start(affected)
        or any(_sigpipe_prone(script) for script in scripts)
    )
    if family == "dash":
        risky = risky or any(_dash_bash_differ(script) for script in scripts)
    line = f"{_indent(run)}SHELL {_ASH_SHELL if family == 'ash' else _BASH_SHELL}{_eol(run)}"
    edit = Edit.insert(_insertion_point(ctx, run), line)
    description = "Set SHELL with -o pipefail before the first RUN with a pipe"
    return Fix.unsafe(description, edit) if risky else Fix.safe(description, edit)


def _image_family(stage: Stage) -> str | None:
    """'ash', 'bash' or 'dash' (bash installed, /bin/sh is dash) for a known base image, else None."""
    root = root_stage(stage)
    image = root.image
    if "$" in image.raw or image.registry not in (None, "docker.io"):
        return None
    name = image.repository.removeprefix("library/")
    tag = (image.tag or "").lower()
    if any(marker in tag for marker in _NON_LINUX_TAGS):
        return None
    if name in _ALPINE_IMAGES or (name in _SH_IS_DASH_IMAGES | _SH_IS_BASH_IMAGES and "alpine" in tag):
        return "ash"
    if name in _SH_IS_BASH_IMAGES:
        return "bash"
    if name in _SH_IS_DASH_IMAGES:
        return "dash"
    return None


def _affected(stage: Stage, run: Instruction) -> list[Instruction]:
    """The instructions of the stage the new SHELL would govern: from `run` to the next SHELL."""
    out: list[Instruction] = []
    for instr in stage.instructions[stage.instructions.index(run) :]:
        if instr.keyword == "SHELL":
            break
        out.append(instr)
    return out


def _has_descendants(ctx: LintContext, stage: Stage) -> bool:
    return any(other.parent is stage for other in ctx.model.stages)


def _sigpipe_prone(script: ShellScript) -> bool:
    return any(
        cmd.name in _SIGPIPE_SOURCES
        or cmd.name in _EARLY_EXIT_READERS
        or (cmd.name == "grep" and cmd.has_any_flag("q", "quiet", "silent"))
        for cmd in script.commands
    )


def _dash_bash_differ(script: ShellScript) -> bool:
    for cmd in script.commands:
        if cmd.name == "echo" and any(value == "-e" or "\\" in value for value in cmd.values):
            return True
        for word in cmd.args:
            raw = script.text[word.start : word.end]
            if "{" in raw and ("," in raw or ".." in raw) and "}" in raw and not raw.startswith(("'", '"', "$")):
                return True
    return False


def _shell_form_start(instructions: list[Instruction]) -> bool:
    """A shell-form CMD, ENTRYPOINT or HEALTHCHECK (not `HEALTHCHECK NONE`): the SHELL in effect runs it."""
    return any(
        instr.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK")
        and not instr.is_exec_form
        and instr.args.strip().upper() != "NONE"
        for instr in instructions
    )


def _insertion_point(ctx: LintContext, run: Instruction) -> int:
    """Start of the run of comment lines directly above `run` (or of `run`'s line)."""
    nodes = ctx.document.nodes
    index = next(i for i, node in enumerate(nodes) if node is run)
    while index > 0 and isinstance(nodes[index - 1], Comment):
        index -= 1
    return nodes[index].span.start


def _indent(run: Instruction) -> str:
    assert run.source is not None
    return run.source.text[run.span.start : run.keyword_span.start]


def _eol(run: Instruction) -> str:
    return "\r\n" if run.raw.split("\n", 1)[0].endswith("\r") else "\n"
