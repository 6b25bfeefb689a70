"""DL3042: pip install without `--no-cache-dir`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.shell import Command, RunShell, ShellWord
from codi.knowledge.package_state import PIP_CACHE, later_reader
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.rules.fixes import insertion_fix

_TRUTHY = frozenset({"1", "true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES"})
_SETTING = "PIP_NO_CACHE_DIR="
_SHORTEST_ABBREVIATION = "--no-ca"  # `--no-c` could also be --no-color, --no-compile, --no-clean


class PipNoCacheDir(Rule):
    """## What it does
    Checks that `pip install` (and `python -m pip install`) runs with
    `--no-cache-dir`, unless `PIP_NO_CACHE_DIR` is set to a true value (by an
    ARG or ENV in scope, inherited from the parent stage, or in the script
    itself) or `~/.cache/pip` is a cache or tmpfs mount. `pipx` and `pipenv`
    are not checked.

    ## Why is this bad?
    pip keeps every downloaded wheel in `~/.cache/pip`; in an image that
    cache is never reused and only makes the layer larger.

    ## Example
    ```dockerfile
    RUN pip install requests==2.32.3
    ```

    ## Use instead
    ```dockerfile
    RUN pip install --no-cache-dir requests==2.32.3
    ```

    ## Fix safety
    Safe: inserts ` --no-cache-dir` right after `install`; the same packages
    are installed, only the cache is skipped. Offered on shell-form RUNs.
    Also checked inside `ONBUILD`.

    Later steps are unaffected: pip's cache only saves downloads, and no
    later `pip install` (`--no-index` included) needs it to succeed. The one
    exception is a later step that reads the cache directory itself
    (`cp -r ~/.cache/pip/wheels …`, `COPY --from=build /root/.cache/pip …`),
    in the rest of the RUN, the later RUNs of the stage or the stages built
    `FROM` it: then the fix is unsafe.

    Unlike hadolint, an `ARG PIP_NO_CACHE_DIR=1` counts (pip reads it from
    the environment), so does `--no-cache` (pip accepts any unambiguous
    abbreviation of `--no-cache-dir`), and a stage only inherits the setting
    from the stage it is built `FROM`, not from an unrelated stage with the
    same base image.

    ## References
    - hadolint DL3042
    """

    code = "DL3042"
    severity = Severity.WARNING
    message = "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            shell = ctx.shell(instr)
            forgot = [cmd for cmd in shell.commands if _forgot_no_cache_dir(cmd)]
            if not forgot or _cache_disabled(ctx, instr, shell):
                continue
            anchors = (_install_word(cmd) for cmd in forgot)
            safe = later_reader(ctx, instr, PIP_CACHE, forgot[0].start) is None
            fix = insertion_fix(instr, shell, anchors, " --no-cache-dir", "Add --no-cache-dir to pip install", safe=safe)
            yield self.finding(instr, fix=fix)


def _cache_disabled(ctx: LintContext, instr: Instruction, shell: RunShell) -> bool:
    if ctx.model.variables_at(instr).get("PIP_NO_CACHE_DIR") in _TRUTHY:
        return True
    if has_cache_mount(instr, ".cache/pip"):
        return True
    return any(_sets_no_cache_dir(script.text) for script in shell.scripts)


def _sets_no_cache_dir(script: str) -> bool:
    """hadolint's test: the first `PIP_NO_CACHE_DIR=` of the script is followed by a true value."""
    _, found, value = script.partition(_SETTING)
    return bool(found) and any(value.startswith(truthy) for truthy in _TRUTHY)


def _forgot_no_cache_dir(cmd: Command) -> bool:
    return cmd.is_pip_install(as_written=True) and not any(map(_is_no_cache_dir, cmd.values)) and not _is_pip_wrapper(cmd)


def _is_no_cache_dir(arg: str) -> bool:
    """`--no-cache-dir` or an abbreviation pip (optparse) resolves to it, such as `--no-cache`."""
    return len(arg) >= len(_SHORTEST_ABBREVIATION) and "--no-cache-dir".startswith(arg)


def _is_pip_wrapper(cmd: Command) -> bool:
    """pipx and pipenv manage their own environments and caches."""
    for wrapper in ("pipx", "pipenv"):
        if wrapper in cmd.name:
            return True
        if cmd.name.startswith("python") and _find(cmd.values, ("-m", wrapper)) is not None:
            return True
    return False


def _install_word(cmd: Command) -> ShellWord:
    """The `install` of `pip install` or of `python -m pip install`."""
    index = _find(cmd.values, ("-m", "pip", "install")) if cmd.name.startswith("python") else None
    if index is not None:
        return cmd.args[index + 2]
    return next(word for word in cmd.args if word.value == "install")


def _find(values: tuple[str, ...], run: tuple[str, ...]) -> int | None:
    for index in range(len(values) - len(run) + 1):
        if values[index : index + len(run)] == run:
            return index
    return None
