"""DL3020: use COPY instead of ADD for files and folders."""

from __future__ import annotations

import re
from collections.abc import Iterator

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import expand
from codi.knowledge.arguments import argument_values, is_archive
from codi.rules.base import LintContext, Rule

_REMOTE_PREFIXES = ("https://", "http://", "git://", "ssh://")
_SCP_LIKE_GIT = re.compile(r"[\w.-]+@[\w.-]+:")
"""`git@github.com:moby/buildkit.git`: the scp-like address BuildKit's ADD clones, like git itself."""
# Formats BuildKit also unpacks that hadolint's list misses: never rewrite those.
_MORE_ARCHIVE_SUFFIXES = (".zst", ".tzst")
_FLAGS_COPY_ACCEPTS = frozenset({"chown", "chmod", "link"})
_GLOB_CHARS = frozenset("*?[")


class CopyInsteadOfAdd(Rule):
    """## What it does
    Checks that `ADD` is only used for what only it does: fetching URLs,
    cloning git repositories (`git@host:repo.git`, `git://`, `ssh://`) and
    unpacking local tar archives. hadolint counts only `http(s)://` sources as
    remote and flags `ADD git@github.com:moby/buildkit.git /src/`, which `COPY`
    cannot do.

    ## Why is this bad?
    `ADD` silently unpacks archives and fetches URLs; for plain files and
    folders `COPY` does the same job with no surprises, so a reader (and a
    later file rename) cannot change what the instruction does.

    ## Example
    ```dockerfile
    ADD app.py /app/
    ```

    ## Use instead
    ```dockerfile
    COPY app.py /app/
    ```

    ## Fix safety
    Safe: the keyword becomes `COPY` (in the keyword's case style) only when
    every source is a literal local path (ARG/ENV values expanded) with no
    URL, git reference, glob or archive extension, and the instruction has
    no ADD-only flag (`--checksum`, `--keep-git-dir`, `--unpack`). ADD
    recognises tar archives by content, so a tar archive stored under a
    name without an archive extension is the one case the rewrite changes:
    it would be copied instead of unpacked. `ONBUILD ADD` is not checked, as
    in hadolint.

    ## References
    - hadolint DL3020
    - https://docs.docker.com/build/building/best-practices/#add-or-copy
    """

    code = "DL3020"
    severity = Severity.ERROR
    message = "Use COPY instead of ADD for files and folders"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("ADD"):
            sources = _sources(instr)
            if all(is_archive(source) or _is_remote(source) for source in sources):
                continue
            yield self.finding(instr, fix=_fix(ctx, instr, sources))


def _sources(instr: Instruction) -> list[str]:
    return argument_values(instr)[:-1]


def _is_remote(source: str) -> bool:
    return source.startswith(_REMOTE_PREFIXES) or _SCP_LIKE_GIT.match(source) is not None


def _fix(ctx: LintContext, instr: Instruction, sources: list[str]) -> Fix | None:
    if any(flag.name not in _FLAGS_COPY_ACCEPTS for flag in instr.flags):
        return None
    variables = ctx.model.variables_at(instr)
    if not all(_is_plain_local(expand(source, variables)) for source in sources):
        return None
    raw = instr.raw_keyword
    keyword = "copy" if raw.islower() else "Copy" if raw.istitle() else "COPY"
    span = instr.keyword_span
    return Fix.safe("Replace ADD with COPY", Edit(span.start, span.end, keyword))


def _is_plain_local(source: str) -> bool:
    return not (
        "$" in source
        or "://" in source
        or _is_remote(source)
        or is_archive(source)
        or source.endswith(_MORE_ARCHIVE_SUFFIXES)
        or _GLOB_CHARS & set(source)
    )
