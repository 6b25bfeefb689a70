"""DL3028: pin versions in `gem install`."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import takewhile

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule


class GemPinVersions(Rule):
    """## What it does
    Checks that every gem of `gem install` (or `gem i`) is pinned as
    `<gem>:<version>`, unless the command gives `-v`/`--version`.

    ## Why is this bad?
    An unpinned gem is whatever rubygems.org serves at build time: rebuilds
    differ, and a new major release can break the image with no change on
    your side.

    ## Example
    ```dockerfile
    RUN gem install bundler
    ```

    ## Use instead
    ```dockerfile
    RUN gem install bundler:2.5.6
    ```

    ## Fix safety
    No fix: the version to pin is a decision, not a rewrite.

    ## References
    - hadolint DL3028. As in hadolint, every option is taken to consume the
      next word (`gem install -N rails` reads `rails` as the value of `-N`).
    - https://guides.rubygems.org/command-reference/#gem-install
    """

    code = "DL3028"
    severity = Severity.WARNING
    message = "Pin versions in gem install. Instead of `gem install <gem>` use `gem install <gem>:<version>`"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            gems = [gem for cmd in ctx.shell(instr).commands for gem in _gems(cmd)]
            if not all(":" in gem for gem in gems):
                yield self.finding(instr)


def _gems(cmd: Command) -> list[str]:
    """The gems a `gem install` names, as hadolint reads them; none when a version option is given."""
    if cmd.name != "gem" or not cmd.has_args("install", "i"):
        return []
    if cmd.has_args("-v", "--version") or cmd.has_prefix_arg("--version="):
        return []
    words = list(takewhile(lambda value: value != "--", cmd.values))
    gems = []
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
        elif word.startswith("-"):
            skip_next = True
        elif word not in ("install", "i"):
            gems.append(word)
    return gems
