"""DL3024: stage names must be unique."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule


class UniqueStageNames(Rule):
    """## What it does
    Checks that no two `FROM … AS <name>` use the same stage name.

    ## Why is this bad?
    BuildKit rejects a Dockerfile with duplicate stage names ("duplicate
    stage name"); older builders silently used one of them for `--from`
    and `--target`.

    ## Example
    ```dockerfile
    FROM node:20 AS build
    FROM golang:1.22 AS build
    ```

    ## Use instead
    ```dockerfile
    FROM node:20 AS build-web
    FROM golang:1.22 AS build-api
    ```

    ## Fix safety
    No fix: renaming a stage means choosing a name and updating its users.

    ## References
    - hadolint DL3024 (reported on the repeated `FROM`). Unlike hadolint,
      names compare case-insensitively, as BuildKit lowercases them.
    """

    code = "DL3024"
    severity = Severity.ERROR
    message = "FROM aliases (stage names) must be unique"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        seen: set[str] = set()
        for stage in ctx.model.stages:
            if stage.alias is None:
                continue
            name = stage.alias.lower()
            if name in seen:
                yield self.finding(stage.from_instr)
            seen.add(name)
