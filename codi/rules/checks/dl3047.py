"""DL3047: wget without a progress setting."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import Stage
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule
from codi.rules.fixes import insertion_fix
from codi.knowledge.stages import root_stage

_PROGRESS = " --progress=dot:giga"
_BUSYBOX_IMAGES = ("alpine", "busybox")


class WgetProgress(Rule):
    """## What it does
    Checks that `wget` runs with `--progress=…`, or quietly (`-q`, `-nv`), or
    logging to a file (`-o`, `-a`).

    ## Why is this bad?
    wget's default progress bar, written to a build log that is not a
    terminal, prints a line every few kilobytes: large downloads bloat the
    log by megabytes.

    ## Example
    ```dockerfile
    RUN wget https://example.com/big.tar.gz
    ```

    ## Use instead
    ```dockerfile
    RUN wget --progress=dot:giga https://example.com/big.tar.gz
    ```

    ## Fix safety
    Inserts ` --progress=dot:giga` after `wget`, which only changes what GNU
    wget prints. BusyBox wget (Alpine's default) rejects that option and
    fails the build, so the fix is safe only when the stage's base image is
    known and is neither Alpine nor BusyBox; otherwise it is unsafe. Offered
    on shell-form RUNs. Also checked inside `ONBUILD`.

    Only wget's output changes: later steps see the same downloaded files.

    ## References
    - hadolint DL3047
    """

    code = "DL3047"
    severity = Severity.INFO
    message = (
        "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. "
        "Or consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`)."
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            noisy = [cmd for cmd in shell.commands if _forgot_progress(cmd)]
            if not noisy:
                continue
            anchors = (cmd.name_word for cmd in noisy)
            safe = _gnu_wget_likely(ctx.stage_of(instr))
            fix = insertion_fix(instr, shell, anchors, _PROGRESS, "Add --progress=dot:giga to wget", safe=safe)
            yield self.finding(instr, fix=fix)


def _forgot_progress(cmd: Command) -> bool:
    if cmd.name != "wget":
        return False
    quiet = cmd.has_any_flag("q", "quiet", "o", "output-file", "a", "append-output", "no-verbose")
    return not (quiet or cmd.has_flag("progress") or cmd.has_args("-nv"))


def _gnu_wget_likely(stage: Stage | None) -> bool:
    """Whether the stage's root base image is known and not Alpine/BusyBox-based."""
    if stage is None:
        return False
    root = root_stage(stage)
    if "$" in root.image.raw:
        return False
    image = root.image.raw.lower()
    return not any(name in image for name in _BUSYBOX_IMAGES)
