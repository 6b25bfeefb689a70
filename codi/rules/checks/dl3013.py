"""DL3013: pin versions in pip."""

from __future__ import annotations

import re
from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule

# Options of `pip install` (and pipx) whose value is the next word, so that word is not a package.
_VALUE_OPTIONS = (
    "abi", "b", "build", "C", "cache-dir", "cert", "client-cert", "config-settings", "e", "editable",
    "exists-action", "extra-index-url", "f", "find-links", "global-option", "i", "implementation",
    "index-url", "install-option", "log", "no-binary", "only-binary", "platform", "prefix", "progress-bar",
    "proxy", "python", "python-version", "report", "retries", "root", "root-user-action", "src", "t",
    "target", "timeout", "trusted-host", "upgrade-strategy", "use-deprecated", "use-feature",
)  # fmt: skip
_VERSION_OPERATORS = ("==", ">=", "<=", ">", "<", "!=", "~=", "===")
_VCS_URL = re.compile(r"^(?:git|hg|svn|bzr)(?:\+[a-z-]+)?:")
_LOCAL_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")


class PipUnpinned(Rule):
    """## What it does
    Reports a `pip install` (also `pip3`, `pipx`, `python -m pip`) of a
    package without a version specifier (`==`, `~=`, `>=`, `<`, `!=` …). Not
    reported: installs from a requirements file (`-r`), of the current project
    (`.`, `-e …`), with a constraints file (`-c`/`--constraint`), of local
    paths, URLs and archives (`./pkg`, `https://…/pkg.zip`, `pkg.whl`), and of
    VCS URLs pinned to a ref (`git+https://…/repo.git@v1.2`). Values of
    options such as `--index-url`, `--target` or `--timeout` are not packages.
    Also checked inside `ONBUILD`.

    ## Why is this bad?
    Without versions every build installs the newest release that day: builds
    are not reproducible, and a new release can break the image without any
    change in the repository.

    ## Example
    ```dockerfile
    RUN pip install --no-cache-dir requests
    ```

    ## Use instead
    ```dockerfile
    RUN pip install --no-cache-dir requests==2.32.3
    ```

    ## Fix safety
    No fix: the version to pin is not known without querying the index.

    ## References
    - hadolint DL3013
    """

    code = "DL3013"
    severity = Severity.WARNING
    message = (
        "Pin versions in pip. Instead of `pip install <package>` use `pip install "
        "<package>==<version>` or `pip install --requirement <requirements file>`"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if any(_forgot_to_pin(cmd) for cmd in ctx.shell(instr).commands):
                yield self.finding(instr)


def _forgot_to_pin(cmd: Command) -> bool:
    if not cmd.is_pip_install(as_written=True):
        return False
    if cmd.has_args("-r", "--requirement", ".") or cmd.has_any_flag("c", "constraint"):
        return False
    return not all(_is_pinned(package) for package in _packages(cmd))


def _packages(cmd: Command) -> list[str]:
    """The requirement words after `install`."""
    words = [word.value for word in cmd.operands(_VALUE_OPTIONS)]
    if "install" not in words:
        return []
    return [word for word in words[words.index("install") + 1 :] if word != "install"]


def _is_pinned(package: str) -> bool:
    if any(operator in package for operator in _VERSION_OPERATORS):
        return True
    if _VCS_URL.match(package):
        return "@" in package
    return "/" in package or package.endswith(_LOCAL_ARCHIVES)
