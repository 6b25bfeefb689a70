"""DL3019: use `apk add --no-cache`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.shell import Command
from codi.knowledge.package_state import APK_INDEX, later_reader
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.rules.fixes import exact_script, insert_after_arg, later_use_note

_UPDATE_WORDS = ("-U", "--update", "--update-cache")
_UPDATE_FLAGS = ("U", "update", "update-cache")


class ApkNoCache(Rule):
    """## What it does
    Checks that `apk add` runs with `--no-cache`, unless the RUN mounts a
    cache or tmpfs over `/var/cache/apk`.

    ## Why is this bad?
    Without it apk keeps the package index under `/var/cache/apk` in the
    layer (several MB), unless you remember `--update` plus
    `rm -rf /var/cache/apk/*` in the same RUN. `--no-cache` fetches a fresh
    index and stores nothing.

    ## Example
    ```dockerfile
    RUN apk add --update curl=8.5.0-r0
    ```

    ## Use instead
    ```dockerfile
    RUN apk add --no-cache curl=8.5.0-r0
    ```

    ## Fix safety
    Safe: a standalone `-U`/`--update`/`--update-cache` becomes `--no-cache`
    (it still reads a fresh index), otherwise ` --no-cache` goes right after
    `add`, which leaves whatever index is stored as it was. `-U` stored a
    fresh index for later commands and `--no-cache` does not, so when a
    later step may read it before an `apk update` — an apk command without
    `--no-cache` or `-U` (`apk upgrade`, `apk info`, an `apk add` this fix
    does not change) or a script (`./setup.sh`) in the rest of the RUN, the
    later RUNs of the stage (`ONBUILD` ones included) or the stages built
    `FROM` it — the fix is unsafe: that step would find no index. Also
    checked inside `ONBUILD`.

    ## References
    - hadolint DL3019
    - https://github.com/gliderlabs/docker-alpine/blob/master/docs/usage.md#disabling-cache
    """

    code = "DL3019"
    severity = Severity.INFO
    message = (
        "Use the `--no-cache` switch to avoid the need to use `--update` and remove `/var/cache/apk/*` "
        "when done installing packages"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if has_cache_mount(instr, "/var/cache/apk"):
                continue
            shell = ctx.shell(instr)
            missing = [cmd for cmd in shell.commands if _forgot_no_cache(cmd)]
            if missing:
                yield self.finding(instr, fix=self._fix(ctx, instr, missing))

    def _fix(self, ctx: LintContext, instr: Instruction, missing: list[Command]) -> Fix | None:
        if exact_script(ctx.shell(instr)) is None:
            return None
        edits = []
        for cmd in missing:
            update = next((word for word in cmd.args if word.value in _UPDATE_WORDS), None)
            if update is None:
                edits.append(insert_after_arg(instr, cmd, ("add",), " --no-cache"))
            else:
                span = instr.args_span(update.start, update.end)
                edits.append(Edit(span.start, span.end, "--no-cache"))
        reader = _index_reader(ctx, instr, missing)
        if reader is not None:
            return Fix.unsafe("Use apk add --no-cache" + later_use_note(reader, APK_INDEX), *edits)
        return Fix.safe("Use apk add --no-cache", *edits)


def _forgot_no_cache(cmd: Command) -> bool:
    return cmd.name == "apk" and cmd.has_args("add") and not cmd.has_flag("no-cache")


def _index_reader(ctx: LintContext, instr: Instruction, fixed: list[Command]) -> Instruction | None:
    """The step that may read the index a `-U` among `fixed` would have stored: a command of the RUN
    between that `-U` and the last fixed command (those get `--no-cache` too), or a later step."""
    updates = [cmd for cmd in fixed if cmd.has_any_flag(*_UPDATE_FLAGS)]
    if not updates:
        return None
    first, last = updates[0].start, fixed[-1].start
    between = [cmd for cmd in ctx.shell(instr).commands if first < cmd.start < last and cmd not in fixed]
    if any(APK_INDEX.reads(cmd) for cmd in between):
        return instr
    return later_reader(ctx, instr, APK_INDEX, fixed[-1].end)
