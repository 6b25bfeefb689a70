"""CD2007: the whole build context is copied but it has no `.dockerignore`."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.stages import copies_whole_context


class MissingDockerignore(Rule):
    """## What it does
    Checks that a build context whose Dockerfile copies all of it (`COPY . .`,
    `ADD . /app`) has a `.dockerignore` at its root (or a Dockerfile-specific
    `<Dockerfile>.dockerignore` beside the Dockerfile, which BuildKit reads
    instead). A `.dockerignore` in a subdirectory is not read by Docker.

    The rule needs the build context's file listing: when codi does not know
    the context (a Dockerfile linted on its own) it reports nothing.

    ## Why is this bad?
    Without a `.dockerignore`, `COPY . .` puts everything into the image:
    `.git`, `node_modules`, local virtualenvs, build output, `.env` files with
    secrets. The context upload gets slower, the image bigger, and any change
    to those files (every commit changes `.git`) invalidates the layer cache.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    ```
    (and no `.dockerignore` next to it)

    ## Use instead
    Add a `.dockerignore` listing what the image does not need:
    ```
    .git
    **/__pycache__
    .venv
    .env
    ```

    ## Fix safety
    No fix: codi edits the Dockerfile, and what to exclude is project knowledge.

    ## References
    - https://docs.docker.com/build/concepts/context/#dockerignore-files
    """

    code = "CD2007"
    severity = Severity.WARNING
    message = (
        "The whole build context is copied but there is no `.dockerignore`: "
        "`.git`, secrets and local build output end up in the image"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        if ctx.context_files is None or _has_dockerignore(ctx.context_files):
            return
        for instr in ctx.instructions("COPY", "ADD"):
            if copies_whole_context(instr):
                yield self.finding(instr)
                return


def _has_dockerignore(files: frozenset[str]) -> bool:
    """A root `.dockerignore`, or a `<Dockerfile>.dockerignore` anywhere (it sits beside its Dockerfile)."""
    for path in files:
        name = path.rsplit("/", 1)[-1]
        if path == ".dockerignore" or (name.endswith(".dockerignore") and name != ".dockerignore"):
            return True
    return False
