"""DL3008: pin versions in apt-get install."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.knowledge.apt import apt_get_packages, is_pinned_apt_package
from codi.rules.base import LintContext, Rule


class AptGetUnpinned(Rule):
    """## What it does
    Reports an `apt-get install` with a package that has no version
    (`curl=7.88.1-10`). A release pin (`curl/bookworm-backports`) and a local
    `.deb` file count as pinned; the value of `-t`/`--target-release` is not a
    package. Also checked inside `ONBUILD`.

    ## Why is this bad?
    Without versions every build installs whatever the mirror has that day:
    builds are not reproducible, and a new package version can break the image
    without any change in the repository.

    ## Example
    ```dockerfile
    RUN apt-get install -y --no-install-recommends curl
    ```

    ## Use instead
    ```dockerfile
    RUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u5
    ```

    ## Fix safety
    No fix: the version to pin is not known without querying the mirror.

    ## References
    - hadolint DL3008
    """

    code = "DL3008"
    severity = Severity.WARNING
    message = (
        "Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get "
        "install <package>=<version>`"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            packages = [word for cmd in ctx.shell(instr).commands for word in apt_get_packages(cmd)]
            if not all(is_pinned_apt_package(word.value) for word in packages):
                yield self.finding(instr)
