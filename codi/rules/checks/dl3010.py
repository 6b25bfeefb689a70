"""DL3010: use ADD for extracting archives into an image."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.shell import Command
from codi.knowledge.arguments import is_archive
from codi.rules.base import LintContext, Rule

_DECOMPRESSORS = frozenset(
    {"unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat"}
)


class CopyThenExtract(Rule):
    """## What it does
    Reports a `COPY` of a local archive (`.tar`, `.tar.gz`, `.tgz`, `.xz` …)
    that a later RUN of the same stage extracts (`tar -x`, `gunzip`, `unzip`
    …), matched by file name. `COPY --from` is not considered.

    Unlike hadolint, which only reports the last stage, every stage is
    checked. For `tar`, only `--extract`/`--get` and short option bundles with
    `x` count as extracting (hadolint also takes long options such as
    `--exclude`).

    ## Why is this bad?
    The copied archive stays in its own layer even if the RUN deletes it, so
    the image carries both the archive and its contents. `ADD` extracts a
    local tar archive in one step and one layer.

    ## Example
    ```dockerfile
    COPY app.tar.gz /tmp/
    RUN tar -xzf /tmp/app.tar.gz -C /opt
    ```

    ## Use instead
    ```dockerfile
    ADD app.tar.gz /opt/
    ```

    ## Fix safety
    No fix: the RUN may do more than extract, and `ADD` only auto-extracts
    tar archives, not zip files.

    ## References
    - hadolint DL3010
    """

    code = "DL3010"
    severity = Severity.INFO
    message = "Use `ADD` for extracting archives into an image"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        copied: list[tuple[Instruction, str]] = []
        reported: set[int] = set()
        for instr in ctx.instructions("FROM", "COPY", "RUN"):
            if instr.keyword == "FROM":
                copied = []
            elif instr.keyword == "COPY":
                if instr.flag("from") is None:
                    copied.extend((instr, name) for name in _copied_archives(instr))
            else:
                extracting = [cmd for cmd in ctx.shell(instr).commands if _extracts(cmd)]
                for copy, name in copied:
                    if id(copy) not in reported and any(name in _operand_names(cmd) for cmd in extracting):
                        reported.add(id(copy))
                        yield self.finding(copy)


def _copied_archives(copy: Instruction) -> list[str]:
    """File names of the archives a COPY puts into the image (the target's when it names a file)."""
    paths = list(copy.exec_form) if copy.exec_form is not None else [word.raw for word in copy.words]
    if len(paths) < 2:
        return []
    *sources, target = (_basename(path) for path in paths)
    if is_archive(target):
        return [target]
    return [source for source in sources if is_archive(source)]


def _extracts(cmd: Command) -> bool:
    if cmd.name in _DECOMPRESSORS:
        return True
    if cmd.name != "tar":
        return False
    return any(
        value in ("--extract", "--get") or (value.startswith("-") and not value.startswith("--") and "x" in value)
        for value in cmd.values
    )


def _operand_names(cmd: Command) -> set[str]:
    return {_basename(word.value) for word in cmd.operands()}


def _basename(path: str) -> str:
    """Last path segment, for `/` and Windows `\\` separators alike."""
    path = path.strip("\"'")
    return path[max(path.rfind("/"), path.rfind("\\")) + 1 :]
