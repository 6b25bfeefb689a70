"""DL3009: delete the apt lists after installing something."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.knowledge.apt import APT_LISTS, removes_apt_lists, updates_package_lists
from codi.knowledge.package_state import APT_LISTS_STATE, involves_apt
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.rules.fixes import cleanup_fix, exact_script
from codi.knowledge.stages import final_or_base_ids

_CLEANUP = f"rm -rf {APT_LISTS}/*"


class AptListsNotDeleted(Rule):
    """## What it does
    Reports a RUN that runs `apt-get update` (or `apt`/`aptitude update`)
    without deleting `/var/lib/apt/lists` in the same RUN, in the stages that
    end up in an image: the last stage and every stage another stage is built
    `FROM`. A RUN inside `ONBUILD` is always reported, since it runs in
    downstream images. A RUN whose cache or tmpfs mount covers
    `/var/lib/apt/lists` (or both `/var/lib/apt` and `/var/cache/apt`) is
    fine: the lists never reach the layer.

    Any `rm` of a path under `/var/lib/apt/lists` counts as the cleanup
    (hadolint takes any `rm` that has `-rf` or `/var/lib/apt/lists/*`).

    ## Why is this bad?
    The package lists are tens of megabytes the image never uses again; once
    a layer holds them, deleting them in a later RUN does not shrink the image.

    ## Example
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
    ```

    ## Fix safety
    Appends ` && rm -rf /var/lib/apt/lists/*` right after the last command
    of the RUN that involves apt (by name or argument), on the same line, so
    the continuation layout stays. Offered only for a shell-form RUN without
    heredocs that parses cleanly, when that command is a plain member of an
    `&&`/`;` list (not in a pipeline, loop, condition, redirection or before
    `||`/`&`).

    Safe when that is the stage's last use of the lists: no later step reads
    them before an `apt-get update` fetches them again. The steps looked at
    are the rest of the RUN, the later RUNs of the stage (`ONBUILD` ones
    included), the stages built `FROM` it and `COPY --from` of those stages.
    A reader is an apt command that needs the lists (`install`, `upgrade`,
    `source`, `apt-cache policy` … — not `remove`, `purge`, `clean`), a
    command naming `/var/lib/apt/lists`, or a script (`./setup.sh`,
    `sh -c …`), which may run apt. Otherwise, as in
    `RUN apt-get update` then `RUN apt-get install -y curl`, the fix is
    unsafe: the later install would fail with no lists. Merge the two RUNs
    instead.

    ## References
    - hadolint DL3009
    """

    code = "DL3009"
    severity = Severity.INFO
    message = "Delete the apt lists (/var/lib/apt/lists) after installing something"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stages = ctx.model.stages
        in_image = final_or_base_ids(stages)
        for instr in ctx.document.instructions:
            run = instr.inner if instr.inner is not None else instr
            if run.keyword != "RUN" or not _leaves_lists(ctx, run):
                continue
            stage = ctx.stage_of(instr)
            if run is instr and stage is not None and id(stage) not in in_image:
                continue
            yield self.finding(run, fix=_cleanup_fix(ctx, run))


def _leaves_lists(ctx: LintContext, run: Instruction) -> bool:
    commands = ctx.shell(run).commands
    if not any(updates_package_lists(cmd) for cmd in commands):
        return False
    if any(removes_apt_lists(cmd) for cmd in commands):
        return False
    if has_cache_mount(run, APT_LISTS):
        return False
    return not (has_cache_mount(run, "/var/lib/apt") and has_cache_mount(run, "/var/cache/apt"))


def _cleanup_fix(ctx: LintContext, run: Instruction) -> Fix | None:
    script = exact_script(ctx.shell(run))
    if run.heredocs or script is None or script.has_errors or not ctx.is_posix_shell(run):
        return None
    last_apt = [cmd for cmd in script.commands if involves_apt(cmd)][-1]
    if not last_apt.plain_list_member:
        return None
    return cleanup_fix(ctx, run, [(last_apt, _CLEANUP, APT_LISTS_STATE)], "Delete the apt lists after the last apt command")

