"""Input caps: which of a pull request's Dockerfiles codi analyses, and why it skips the others.

A pull request is written by anyone, so its size is bounded before a rule, a
fix or the optimiser sees it: the caps keep one review's time and memory
within the worker's budget, and each skipped file is named with the cap it
broke, so the author knows what to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

MIB = 1024 * 1024
KIB = 1024


@dataclass(frozen=True)
class InputLimits:
    max_bytes: int = MIB
    """Size of one Dockerfile (UTF-8)."""
    max_line_bytes: int = 64 * KIB
    """Longest physical line of one Dockerfile."""
    max_instructions: int = 10_000
    """Instructions in one Dockerfile (lines that start one: not blank, comment or continuation)."""
    max_files: int = 50
    """Dockerfiles analysed per pull request; the rest, in GitHub's order, are skipped."""


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str
    """Which cap it broke, by how much: "is 2.0 MiB, over the 1 MiB cap"."""


class _Text(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def text(self) -> str: ...


F = TypeVar("F", bound=_Text)


def within_file_count(paths: Sequence[str], limits: InputLimits) -> tuple[list[str], list[SkippedFile]]:
    """The first `max_files` paths, and the rest as skipped (decided before their texts are fetched)."""
    kept = list(paths[: limits.max_files])
    reason = f"the pull request changes {len(paths)} Dockerfiles, over the cap of {limits.max_files}"
    return kept, [SkippedFile(path, reason) for path in paths[limits.max_files :]]


def within_size_caps(files: Sequence[F], limits: InputLimits) -> tuple[list[F], list[SkippedFile]]:
    """The files within the size, line-length and instruction caps, and the others with the cap each broke."""
    kept: list[F] = []
    skipped: list[SkippedFile] = []
    for file in files:
        reason = size_cap_broken(file.text, limits)
        if reason is None:
            kept.append(file)
        else:
            skipped.append(SkippedFile(file.path, reason))
    return kept, skipped


def size_cap_broken(text: str, limits: InputLimits) -> str | None:
    """Why `text` is too large to analyse, or None; one linear pass per cap, no parsing."""
    data = text.encode("utf-8", "surrogateescape")
    if len(data) > limits.max_bytes:
        return f"is {_size(len(data))}, over the cap of {_size(limits.max_bytes)}"
    lines = data.split(b"\n")
    longest = max(range(len(lines)), key=lambda index: len(lines[index]))
    if len(lines[longest]) > limits.max_line_bytes:
        return (
            f"line {longest + 1} is {_size(len(lines[longest]))} long, "
            f"over the cap of {_size(limits.max_line_bytes)} per line"
        )
    instructions = instruction_count(text)
    if instructions > limits.max_instructions:
        return f"has {instructions:,} instructions, over the cap of {limits.max_instructions:,}"
    return None


def instruction_count(text: str) -> int:
    """Lines that start an instruction: not blank, not a comment, not continuing the line before.

    Either escape character (`\\` or `` ` ``) counts as a continuation and heredoc bodies count as
    lines: an estimate made without parsing the untrusted text (the cap is far above real Dockerfiles).
    """
    count = 0
    continued = False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not continued:
            count += 1
        continued = stripped.endswith(("\\", "`"))
    return count


def _size(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.1f} MiB".replace(".0 ", " ")
    if size >= KIB:
        return f"{size / KIB:.1f} KiB".replace(".0 ", " ")
    return f"{size} bytes"
