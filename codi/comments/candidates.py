"""The optimiser's candidates in the summary comment, in `codi review` and in `codi optimize --format md`.

Each candidate becomes a collapsed `<details>` section: what it changes and
why (its rationale), its size/layer estimate (always labelled "estimate"),
and a unified diff against the original. All candidate sections together stay
within `CANDIDATES_BUDGET` characters, so the summary comment stays under
GitHub's body limit whatever the findings table takes: diffs are cut to
share what is left, each cut saying how many lines were left out.
"""

from __future__ import annotations

import difflib
import html
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

from codi.comments.markdown import fence, inline_text
from codi.comments.summary import SummarySection, render_section
from codi.pipeline.optimize import optimize
from codi.pipeline.optimize_model import Candidate, Estimate, OptimizeResult

CANDIDATES_BUDGET = 40_000
"""Characters all candidate sections may take in one summary comment (GitHub allows 65,536 in all)."""
MIN_DIFF_CHARS = 600
"""A diff is shown at least this long, even when many candidates share the budget."""
_REASON_LIMIT = 400
_NOTE_CHARS = 120
"""Room for the line saying how much of a diff was cut."""
_LEFT_OUT = "\n_{count} more candidates not shown: GitHub limits a comment's length. `codi optimize` shows them._\n"


@dataclass(frozen=True)
class OptimizedFile:
    """One Dockerfile's text and what the optimiser made of it."""

    text: str
    result: OptimizeResult


def optimize_files(files: Sequence[tuple[str, str]]) -> list[OptimizedFile]:
    """Run the optimiser on each (path, text), without a build context (the App has none)."""
    return [OptimizedFile(text, optimize(path, text)) for path, text in files]


def candidate_diff(path: str, original: str, candidate: Candidate) -> str:
    """A unified diff from the original to the candidate, each line ending in a newline."""
    lines = difflib.unified_diff(
        original.splitlines(keepends=True),
        candidate.dockerfile.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path} ({candidate.strategy})",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def estimate_text(estimate: Estimate) -> str:
    """`size ≈ 460 MB → 105 MB (-77 %), layers 2 → 2 (estimate)`; `size unknown` without a base size."""
    before, after = estimate.size_bytes_before, estimate.size_bytes_after
    if before is None or after is None:
        size = "size unknown (base image not in codi's table)"
    else:
        ratio = estimate.size_delta_ratio
        change = f" ({ratio:+.0%})".replace("%", " %") if ratio is not None else ""
        size = f"size ≈ {_mb(before)} → {_mb(after)}{change}"
    return f"{size}, layers {estimate.layers_before} → {estimate.layers_after} ({estimate.label})"


def _mb(size_bytes: int) -> str:
    return f"{round(size_bytes / 1_000_000)} MB"


def rationale_markdown(candidate: Candidate) -> str:
    """The candidate's changes as a list, then its estimate and how it was reached."""
    lines = [f"- **{change.kind}**: {inline_text(change.description)}\n" for change in candidate.changes]
    if candidate.template:
        lines.append(f"- rendered from template `{candidate.template}`")
        if candidate.module_versions:
            lines.append(" with modules " + ", ".join(f"`{n}@{v}`" for n, v in candidate.module_versions))
        lines.append("\n")
    estimate = candidate.estimate
    lines.append(f"\n**Estimate**: {estimate_text(estimate)}. _Basis_: {inline_text(estimate.basis)}\n")
    return "".join(lines)


def candidate_sections(files: Sequence[OptimizedFile], budget: int = CANDIDATES_BUDGET) -> list[SummarySection]:
    """An overview section, then one collapsed section per candidate, within `budget` characters."""
    if not files:
        return []
    overview = SummarySection("Optimisation candidates", _overview(files), collapsible=False)
    heads: list[tuple[str, str, str, str]] = []
    for file in files:
        path = file.result.path
        for candidate in file.result.candidates:
            title = (
                f"<code>{html.escape(path)}</code>: {candidate.strategy} candidate, "
                f"{html.escape(estimate_text(candidate.estimate))}"
            )
            heads.append((title, rationale_markdown(candidate), candidate_diff(path, file.text, candidate), path))
    used = len(sections_markdown([overview])) + len(_LEFT_OUT)
    frames = [len(sections_markdown([_section(title, rationale, "")])) + _NOTE_CHARS for title, rationale, *_ in heads]
    share = max(MIN_DIFF_CHARS, (budget - used - sum(frames)) // max(len(heads), 1))
    sections = []
    for index, (title, rationale, diff, path) in enumerate(heads):
        section = _section(title, rationale, _clipped_diff(diff, share, path))
        size = len(sections_markdown([section]))
        if used + size > budget:
            overview = replace(overview, body=overview.body + _LEFT_OUT.format(count=len(heads) - index))
            break
        sections.append(section)
        used += size
    return [overview, *sections]


def _section(title: str, rationale: str, diff: str) -> SummarySection:
    return SummarySection(title, f"{rationale}\n{fence(diff, 'diff')}\n")


def sections_markdown(sections: Sequence[SummarySection]) -> str:
    """Sections as the summary comment shows them (`codi optimize --format md`)."""
    return "".join(render_section(section) for section in sections)


def _overview(files: Sequence[OptimizedFile]) -> str:
    lines = []
    for file in files:
        result = file.result
        path = inline_text(f"`{result.path}`")
        if result.candidates:
            names = ", ".join(candidate.strategy for candidate in result.candidates)
            lines.append(f"- {path} ({result.stack.stack}): {names}\n")
        else:
            reason = result.no_candidate_reason or ""
            reason = reason if len(reason) <= _REASON_LIMIT else reason[: _REASON_LIMIT - 1] + "…"
            lines.append(f"- {path} ({result.stack.stack}): no candidate because {inline_text(reason)}\n")
    lines.append(
        "\nEach candidate keeps the start command, ports, environment, working directory, volumes, labels "
        "and application files of the original. Sizes are estimates from known base-image sizes, "
        "not measurements. `codi optimize PATH --out DIR` writes the candidates.\n"
    )
    return "".join(lines)


def _clipped_diff(diff: str, limit: int, path: str) -> str:
    """The diff's first lines within `limit` characters, with a line saying how many were left out."""
    if len(diff) <= limit:
        return diff
    lines = diff.splitlines(keepends=True)
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) > limit:
            break
        kept.append(line)
        used += len(line)
    left = len(lines) - len(kept)
    return "".join(kept) + f"# … {left} more diff lines: `codi optimize {path}` shows the whole candidate\n"


def optimize_json(result: OptimizeResult) -> str:
    """The result as JSON: every field, each candidate's identity, and why there is none when there is none."""
    document = asdict(result)
    for entry, candidate in zip(document["candidates"], result.candidates):
        entry["identity"] = candidate.identity
        entry["estimate"]["size_delta_ratio"] = candidate.estimate.size_delta_ratio
    document["no_candidate_reason"] = result.no_candidate_reason
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def rationale_file(result: OptimizeResult) -> str:
    """`rationale.md` beside the written candidates: per candidate its changes and estimate; what was left out."""
    parts = [
        f"# Optimisation candidates for `{result.path}`\n\n"
        f"Stack: {result.stack.stack} (confidence {result.stack.confidence:.2f}).\n"
    ]
    for candidate in result.candidates:
        heading = f"\n## `Dockerfile.{candidate.strategy}` ({candidate.identity})\n\n"
        parts.append(heading + rationale_markdown(candidate))
    for title, items in (("Rejected", result.rejected), ("Not attempted", result.skipped)):
        if items:
            parts.append(f"\n## {title}\n\n")
            parts.extend(f"- {item.strategy}: {inline_text(item.reason)}\n" for item in items)
    if result.start.problems:
        parts.append("\n## Start-up problems\n\n")
        parts.extend(f"- {inline_text(problem)}\n" for problem in result.start.problems)
    return "".join(parts)
