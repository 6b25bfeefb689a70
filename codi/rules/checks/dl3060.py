"""DL3060: `yarn cache clean` missing after `yarn install`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.edits import Fix
from codi.knowledge.package_state import YARN_CACHE
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import Stage
from codi.pipeline.shell import Command, RunShell
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.rules.fixes import cleanup_fix, exact_script
from codi.knowledge.stages import final_or_base_ids

_BERRY_MARKERS = (".yarnrc.yml", ".yarn/releases")


class YarnCacheClean(Rule):
    """## What it does
    Reports a `RUN` that calls `yarn install` without a later
    `yarn cache clean` in the same `RUN`, unless the yarn cache
    (`.cache/yarn`) is a cache or tmpfs mount. As in hadolint, only stages
    that end up in an image are reported: the last stage and stages other
    stages are built `FROM`; every `ONBUILD RUN` is reported, since it runs
    in someone's image.

    ## Why is this bad?
    yarn keeps a copy of every package it downloaded in its cache; left in
    the layer, it roughly doubles the size of `node_modules` in the image.

    ## Example
    ```dockerfile
    FROM node:20
    RUN yarn install --frozen-lockfile
    ```

    ## Use instead
    ```dockerfile
    FROM node:20
    RUN yarn install --frozen-lockfile && yarn cache clean
    ```

    ## Fix safety
    Safe: appends ` && yarn cache clean` right after the last `yarn install`
    of the `RUN`, only where that command is a plain step of the top-level
    `&&`/`;` chain (not in a pipe, a subshell, a condition or with a
    redirection), so the cleanup runs exactly when the install succeeded.
    No fix when the build context shows Yarn 2+ (`.yarnrc.yml`,
    `.yarn/releases`), or the stage runs `yarn set version` or `corepack`:
    there the cache may hold the installed packages themselves (Plug'n'Play).

    Unsafe when a later step may need the cache: a `yarn … --offline` or a
    command naming `.cache/yarn` in the rest of the RUN, the later RUNs of
    the stage (`ONBUILD` ones included), the stages built `FROM` it, or a
    `COPY --from` of the cache. A later `yarn install` without `--offline`
    downloads again and is unaffected.

    ## References
    - hadolint DL3060
    """

    code = "DL3060"
    severity = Severity.INFO
    message = "`yarn cache clean` missing after `yarn install` was run."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        final_or_bases = final_or_base_ids(ctx.model.stages)
        for instr in ctx.instructions("RUN", onbuild=True):
            if not _misses_clean(ctx, instr):
                continue
            stage = ctx.stage_of(instr)
            in_image = _is_onbuild(ctx, instr) or stage is None or id(stage) in final_or_bases
            if in_image:
                yield self.finding(instr, fix=_clean_fix(ctx, instr, stage))


def _is_yarn_install(cmd: Command) -> bool:
    return cmd.name == "yarn" and cmd.has_args("install")


def _is_yarn_cache_clean(cmd: Command) -> bool:
    return cmd.name == "yarn" and cmd.has_args("cache", "clean")


def _misses_clean(ctx: LintContext, instr: Instruction) -> bool:
    commands = ctx.shell(instr).commands
    installs = [i for i, cmd in enumerate(commands) if _is_yarn_install(cmd)]
    if not installs:
        return False
    cleans = [i for i, cmd in enumerate(commands) if _is_yarn_cache_clean(cmd)]
    if not cleans:
        return not has_cache_mount(instr, ".cache/yarn")
    return cleans[0] < installs[0]


def _is_onbuild(ctx: LintContext, instr: Instruction) -> bool:
    return any(outer.inner is instr for outer in ctx.document.instructions)


def _clean_fix(ctx: LintContext, instr: Instruction, stage: Stage | None) -> Fix | None:
    script = exact_script(ctx.shell(instr))
    if script is None or _may_be_yarn_berry(ctx, stage):
        return None
    install = [cmd for cmd in script.commands if _is_yarn_install(cmd)][-1]
    if not install.top_level_step:
        return None
    return cleanup_fix(ctx, instr, [(install, "yarn cache clean", YARN_CACHE)], "Add yarn cache clean after yarn install")


def _may_be_yarn_berry(ctx: LintContext, stage: Stage | None) -> bool:
    if ctx.context_files is not None and any(
        path == marker or path.startswith(marker + "/") or path.endswith("/" + marker)
        for path in ctx.context_files
        for marker in _BERRY_MARKERS
    ):
        return True
    if stage is None:
        return False
    return any(_sets_yarn_version(ctx.shell(i)) for i in stage.instructions if i.keyword == "RUN")


def _sets_yarn_version(shell: RunShell) -> bool:
    return any(
        cmd.name == "corepack" or (cmd.name == "yarn" and cmd.has_args("set") and cmd.has_args("version"))
        for cmd in shell.commands
    )
