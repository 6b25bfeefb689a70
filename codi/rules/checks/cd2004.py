"""CD2004: a package manager's download cache left in the image."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import ImageRef
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule, has_cache_mount
from codi.knowledge.stacks import program
from codi.knowledge.stages import image_stages, instructions_of


@dataclass(frozen=True, slots=True)
class CacheOwner:
    """A package-manager command that fills a cache, and the ways to not leave it behind."""

    name: str
    fills: Callable[[Command], bool]
    cleans: Callable[[Command], bool]
    cache_dir: str
    """Path fragment a `--mount=type=cache` target or an `rm -rf` names."""
    off_env: tuple[str, ...]
    """Variables that, set to a non-empty value, turn the cache off (or send it to /dev/null)."""
    message: str


def _args(cmd: Command) -> list[str]:
    return cmd.args_no_flags()


def _npm_fills(cmd: Command) -> bool:
    return program(cmd) == "npm" and _args(cmd)[:1] in (["install"], ["i"], ["ci"], ["add"])


def _npm_cleans(cmd: Command) -> bool:
    return program(cmd) == "npm" and _args(cmd)[:2] == ["cache", "clean"]


def _yarn_fills(cmd: Command) -> bool:
    """Bare `yarn`, `yarn add`, `yarn global add`: `yarn install` is DL3060's."""
    args = _args(cmd)
    return program(cmd) == "yarn" and (not args or args[:1] == ["add"] or args[:2] == ["global", "add"])


def _yarn_cleans(cmd: Command) -> bool:
    return program(cmd) == "yarn" and _args(cmd)[:2] == ["cache", "clean"]


def _is_composer(cmd: Command) -> bool:
    return program(cmd) in ("composer", "composer.phar")


def _composer_fills(cmd: Command) -> bool:
    installs = _args(cmd)[:1] in (["install"], ["update"], ["require"])
    return _is_composer(cmd) and installs and not cmd.has_flag("no-cache")


def _composer_cleans(cmd: Command) -> bool:
    return _is_composer(cmd) and _args(cmd)[:1] in (["clear-cache"], ["clearcache"], ["cc"])


def _uv_fills(cmd: Command) -> bool:
    args = _args(cmd)
    installs = args[:1] == ["sync"] or args[:2] in (["pip", "install"], ["tool", "install"])
    return program(cmd) == "uv" and installs and not cmd.has_flag("no-cache")


def _uv_cleans(cmd: Command) -> bool:
    return program(cmd) == "uv" and _args(cmd)[:2] == ["cache", "clean"]


def _gem_fills(cmd: Command) -> bool:
    without_docs = cmd.has_any_flag("no-document", "N") or cmd.has_args("--no-rdoc", "--no-ri")
    return program(cmd) == "gem" and _args(cmd)[:1] == ["install"] and not without_docs


def _never(cmd: Command) -> bool:
    return False


_OWNERS = (
    CacheOwner(
        "npm",
        _npm_fills,
        _npm_cleans,
        ".npm",
        ("NPM_CONFIG_CACHE",),
        "npm cache left in the image: run `npm cache clean --force` in the same RUN "
        "or use `--mount=type=cache,target=/root/.npm`",
    ),
    CacheOwner(
        "yarn",
        _yarn_fills,
        _yarn_cleans,
        "yarn",
        ("YARN_CACHE_FOLDER",),
        "yarn cache left in the image: run `yarn cache clean` in the same RUN or use a cache mount",
    ),
    CacheOwner(
        "composer",
        _composer_fills,
        _composer_cleans,
        "composer",
        ("COMPOSER_CACHE_DIR",),
        "composer cache left in the image: pass `--no-cache`, run `composer clear-cache` in the same RUN, "
        "or use a cache mount",
    ),
    CacheOwner(
        "uv",
        _uv_fills,
        _uv_cleans,
        ".cache/uv",
        ("UV_NO_CACHE",),
        "uv cache left in the image: pass `--no-cache`, set UV_NO_CACHE=1, "
        "or use `--mount=type=cache,target=/root/.cache/uv`",
    ),
    CacheOwner(
        "gem",
        _gem_fills,
        _never,
        "",
        (),
        "gem documentation generated into the image: pass `--no-document` (ri/rdoc is never read in a container)",
    ),
)


class PackageCacheLeftBehind(Rule):
    """## What it does
    Checks the stages that make up the final image for package-manager
    caches written by a `RUN` and not removed in that same `RUN`: `npm
    install`/`npm ci` without `npm cache clean --force`, `yarn`/`yarn add`
    without `yarn cache clean`, `composer install` without `--no-cache`,
    `uv sync`/`uv pip install` without `--no-cache`, `gem install` without
    `--no-document`, and `apt-get install` once the image's `docker-clean`
    hook was removed (so `.deb` files stay in `/var/cache/apt/archives`)
    without `apt-get clean`.

    A cache mount on the cache directory, an `rm -rf` of it, or an
    environment variable that disables it (`UV_NO_CACHE`,
    `COMPOSER_CACHE_DIR` …) is enough. Builder stages are not checked: their
    caches never reach the final image. `gem install` on a `ruby` image (or
    an unresolved `FROM ${BASE}`) is not reported: the official image ships
    a gemrc with `--no-document`, and derived ones keep it.

    Overlap policy: codi never reports one cache twice. The caches that
    hadolint rules already cover are theirs and not checked here: pip
    (DL3042), the apt lists (DL3009), apk (DL3019), `yarn install` (DL3060),
    yum (DL3032), zypper (DL3036) and dnf (DL3040).

    ## Why is this bad?
    The cache is written into the layer and stays there even if a later
    `RUN` deletes it: tens to hundreds of MB that no container ever reads.

    ## Example
    ```dockerfile
    RUN npm ci
    ```

    ## Use instead
    ```dockerfile
    RUN npm ci && npm cache clean --force
    ```

    ## Fix safety
    No fix: whether a cache mount, a flag or a clean command suits the
    project's build (and its BuildKit version) is a choice for its authors.

    ## References
    - https://docs.docker.com/build/cache/optimize/#use-cache-mounts
    """

    code = "CD2004"
    severity = Severity.INFO
    message = "Package manager cache left in the image"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stages = image_stages(ctx.model)
        gemrc_unknown = not stages or _may_have_gemrc(stages[0].image)
        apt_cache_kept = False
        for instr in instructions_of(stages, "RUN"):
            commands = ctx.shell(instr).commands
            apt_cache_kept = apt_cache_kept or any(_disables_docker_clean(cmd) for cmd in commands)
            for owner in _OWNERS:
                if owner.name == "gem" and gemrc_unknown:
                    continue
                if any(owner.fills(cmd) for cmd in commands) and not _handled(ctx, instr, owner):
                    yield self.finding(instr, owner.message)
            if apt_cache_kept and _apt_archives_left(instr, commands):
                yield self.finding(
                    instr,
                    "apt cache left in the image (the docker-clean hook was removed): run `apt-get clean` "
                    "in the same RUN or use `--mount=type=cache,target=/var/cache/apt`",
                )


def _may_have_gemrc(image: ImageRef) -> bool:
    """Ruby images (the official one writes `gem: --no-document` to its gemrc) or an unresolved base."""
    return "ruby" in image.name or "$" in image.raw


def _handled(ctx: LintContext, instr: Instruction, owner: CacheOwner) -> bool:
    commands = ctx.shell(instr).commands
    if any(owner.cleans(cmd) for cmd in commands):
        return True
    if owner.cache_dir and has_cache_mount(instr, owner.cache_dir):
        return True
    if owner.cache_dir and any(_removes(cmd, owner.cache_dir) for cmd in commands):
        return True
    variables = ctx.model.variables_at(instr)
    return any(variables.get(name) or f"{name}=" in instr.args for name in owner.off_env)


def _removes(cmd: Command, fragment: str) -> bool:
    return program(cmd) == "rm" and any(fragment in value for value in cmd.args_no_flags())


def _disables_docker_clean(cmd: Command) -> bool:
    return program(cmd) == "rm" and any(value.endswith("apt.conf.d/docker-clean") for value in cmd.values)


def _apt_archives_left(instr: Instruction, commands: tuple[Command, ...]) -> bool:
    installs = any(program(cmd) in ("apt-get", "apt") and cmd.has_args("install") for cmd in commands)
    if not installs or has_cache_mount(instr, "/var/cache/apt", types=("cache",)):
        return False
    cleans = any(program(cmd) in ("apt-get", "apt") and cmd.has_args("clean") for cmd in commands)
    return not (cleans or any(_removes(cmd, "/var/cache/apt") for cmd in commands))
