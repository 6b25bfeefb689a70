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
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from codi.comments.markdown import clip, code_span, fence, html_text, inert_text, message_text, table_cell
from codi.comments.summary import SummarySection, render_section
from codi.pipeline.measured import ImageReport, MeasuredBuilds
from codi.pipeline.optimize.optimizer import optimize
from codi.pipeline.optimize.model import Candidate, Estimate, OptimizeResult
from codi.pipeline.rank import RankedCandidates
from codi.rules.secrets import find_tokens

CANDIDATES_BUDGET = 40_000
"""Characters all candidate sections may take in one summary comment (GitHub allows 65,536 in all)."""
MIN_DIFF_CHARS = 600
"""A diff is shown at least this long, even when many candidates share the budget."""
_REASON_LIMIT = 400
_NOTE_CHARS = 120
"""Room for the line saying how much of a diff was cut."""
_LEFT_OUT = "\n_{count} more candidates not shown: GitHub limits a comment's length. `codi optimize` shows them._\n"
LOG_TAIL_SHOWN = 1_500
"""Characters of a failed build's log tail shown in the comment."""


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
    lines = [f"- **{change.kind}**: {message_text(change.description)}\n" for change in candidate.changes]
    if candidate.template:
        lines.append(f"- rendered from template {code_span(candidate.template)}")
        if candidate.module_versions:
            lines.append(" with modules " + ", ".join(code_span(f"{n}@{v}") for n, v in candidate.module_versions))
        lines.append("\n")
    estimate = candidate.estimate
    lines.append(f"\n**Estimate**: {estimate_text(estimate)}. _Basis_: {message_text(estimate.basis)}\n")
    return "".join(lines)


def measured_text(report: ImageReport, original: ImageReport) -> str:
    """`measured 1.02 GB → 131 MB (-87 %), layers 12 → 9`: what the real builds gave."""
    size = f"measured {_size(original.size_bytes)} → {_size(report.size_bytes)}"
    if report.size_delta_ratio is not None:
        size += f" ({report.size_delta_ratio:+.0%})".replace("%", " %")
    return f"{size}, layers {original.layers} → {report.layers}"


def candidate_sections(
    files: Sequence[OptimizedFile],
    budget: int = CANDIDATES_BUDGET,
    measured: MeasuredBuilds | None = None,
    ranked: Sequence[RankedCandidates] = (),
) -> list[SummarySection]:
    """An overview section (the ranking, the measured table when builds ran), then one collapsed section per
    candidate, best first, within `budget` characters. A candidate whose build or smoke test failed gets no
    diff: it is not a recommendation; its row says why and a section shows its log tail."""
    if not files:
        return []
    rankings = {r.path: r for r in ranked}
    overview = SummarySection("Optimisation candidates", _overview(files, measured, rankings), collapsible=False)
    heads: list[tuple[str, str, str, str]] = []
    for file in files:
        path = file.result.path
        original = measured.report(path, "original") if measured else None
        for candidate in _ranked_first(file.result.candidates, rankings.get(path)):
            report = measured.report(path, candidate.strategy) if measured else None
            if report is not None and report.status == "fail":
                title = f"<code>{html_text(path)}</code>: {candidate.strategy} candidate failed"
                heads.append((title, _failure_markdown(report), "", path))
                continue
            said = (
                measured_text(report, original)
                if report is not None and original is not None and original.size_bytes
                else estimate_text(candidate.estimate)
            )
            title = f"<code>{html_text(path)}</code>: {candidate.strategy} candidate, {html_text(said)}"
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


def _ranked_first(candidates: Sequence[Candidate], ranking: RankedCandidates | None) -> list[Candidate]:
    """The candidates in their final order; unranked (failed) ones after them, in strategy order."""
    if ranking is None:
        return list(candidates)
    place = {strategy: index for index, strategy in enumerate(ranking.order)}
    return sorted(candidates, key=lambda c: place.get(c.strategy, len(place)))


def ranking_markdown(ranking: RankedCandidates) -> str:
    """The order with each score and its basis; who decided it; the model's explanation, labelled as model output."""
    scores = {scored.id: scored for scored in ranking.ranking.scored}
    places = [
        f"{index}. **{candidate}** (score {scores[candidate].score:g}, {scores[candidate].basis})"
        for index, candidate in enumerate(ranking.order, start=1)
    ]
    text = f"**{code_span(ranking.path)}**: " + " ".join(places) + "\n"
    for candidate, reason in ranking.ranking.excluded:
        text += f"- not ranked: {candidate} ({message_text(clip(reason, _REASON_LIMIT))})\n"
    telemetry = ranking.telemetry
    if ranking.source == "model" and telemetry is not None:
        model = code_span(telemetry.model)
        text += f"\nOrdered by the local model {model} within the bounds of codi's scorer.\n"
        text += f"\n> **Model output** ({model}; generated text, not checked by codi): "
        text += inert_text(ranking.summary or "") + "\n"
        for candidate, why in ranking.reasons:
            text += f">\n> - {candidate}: {inert_text(why)}\n"
    elif telemetry is not None:
        text += (
            f"\nOrdered by codi's deterministic scorer; the model {code_span(telemetry.model)}'s answer was not used: "
            f"{message_text(clip(telemetry.fallback_reason or '', _REASON_LIMIT))}.\n"
        )
    else:
        text += "\nOrdered by codi's deterministic scorer (weights in the rules catalog; no model configured).\n"
    return text


def _section(title: str, rationale: str, diff: str) -> SummarySection:
    if not diff:
        return SummarySection(title, rationale)
    return SummarySection(title, f"{rationale}\n{fence(diff, 'diff')}\n")


def _failure_markdown(report: ImageReport) -> str:
    text = f"Not recommended: {message_text(clip(report.reason or 'it failed', _REASON_LIMIT))}.\n"
    if report.log_tail:
        text += f"\nEnd of the log:\n\n{fence(scrub_secrets(report.log_tail)[-LOG_TAIL_SHOWN:])}\n"
    return text


def scrub_secrets(text: str) -> str:
    """`text` with every credential codi.rules.secrets recognises replaced by `[redacted: <kind>]`.

    A build's output is the pull request author's to choose, so it may print secrets the runner holds;
    scrubbed before it is clipped, so the clip cannot cut a token into a piece no pattern matches.
    """
    parts = []
    end = 0
    for match in sorted(find_tokens(text), key=lambda found: found.start):
        if match.start < end:  # overlaps one already redacted
            end = max(end, match.end)
            continue
        parts.append(text[end : match.start] + f"[redacted: {match.kind}]")
        end = match.end
    return "".join(parts) + text[end:]


def sections_markdown(sections: Sequence[SummarySection]) -> str:
    """Sections as the summary comment shows them (`codi optimize --format md`)."""
    return "".join(render_section(section) for section in sections)


def _overview(
    files: Sequence[OptimizedFile], measured: MeasuredBuilds | None, rankings: Mapping[str, RankedCandidates]
) -> str:
    lines = []
    for file in files:
        result = file.result
        path = code_span(result.path)
        if result.candidates:
            names = ", ".join(candidate.strategy for candidate in result.candidates)
            lines.append(f"- {path} ({result.stack.stack}): {names}\n")
        else:
            reason = message_text(clip(result.no_candidate_reason or "", _REASON_LIMIT))
            lines.append(f"- {path} ({result.stack.stack}): no candidate because {reason}\n")
    shown = [rankings[f.result.path] for f in files if f.result.path in rankings and rankings[f.result.path].order]
    if shown:
        lines.append("\n#### Ranking\n\n" + "\n".join(ranking_markdown(ranking) for ranking in shown))
    if measured is not None and (measured.reports or measured.note):
        lines.append(_measured_table(files, measured))
        sizes = (
            "Sizes, layers and vulnerabilities were measured on real builds of the original and each candidate "
            "(vulnerabilities only where a scanner ran: \"not scanned\" is never zero); each candidate passed a "
            "smoke test unless its row says otherwise."
        )
    else:
        sizes = "Sizes are estimates from known base-image sizes, not measurements."
    lines.append(
        "\nEach candidate keeps the start command, ports, environment, working directory, volumes, labels "
        f"and application files of the original. {sizes} `codi optimize PATH --out DIR` writes the candidates.\n"
    )
    return "".join(lines)


def _measured_table(files: Sequence[OptimizedFile], measured: MeasuredBuilds) -> str:
    text = "\n#### Measured builds\n\n"
    if measured.note:
        text += f"{message_text(measured.note)}\n"
    rows = [report for file in files for report in measured.reports.get(file.result.path, ())]
    if not rows:
        return text
    text += (
        "| File | Image | Result | Size | Δ size | Layers | Δ layers | Vulnerabilities | Δ vulns | Secrets "
        "| Smoke | Build |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n"
    )
    for file in files:
        for report in measured.reports.get(file.result.path, ()):
            reason = table_cell(message_text(clip(report.reason or "", 200)))
            result = "pass" if report.status == "pass" else f"**fail**: {reason}"
            cells = (
                table_cell(code_span(file.result.path)),
                report.strategy + (" (reused)" if report.reused else ""),
                result,
                _size(report.size_bytes),
                _ratio(report.size_delta_ratio),
                _number(report.layers),
                _signed(report.layers_delta),
                "not scanned" if report.vulnerabilities is None else str(report.vulnerabilities.total),
                _signed(report.vulnerabilities_delta),
                str(len(report.secrets)),
                report.smoke,
                "–" if report.build_seconds is None else f"{report.build_seconds:.0f} s",
            )
            text += f"| {' | '.join(cells)} |\n"
    return text


def _size(size_bytes: int | None) -> str:
    """A measured size: `1.02 GB` from a gigabyte on, else `_mb`'s `131 MB`; `–` when unknown."""
    if size_bytes is None:
        return "–"
    return f"{size_bytes / 1e9:.2f} GB" if size_bytes >= 1e9 else _mb(size_bytes)


def _ratio(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio:+.0%}".replace("%", " %")


def _number(value: int | None) -> str:
    return "–" if value is None else str(value)


def _signed(value: int | None) -> str:
    return "–" if value is None else f"{value:+d}"


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
        f"# Optimisation candidates for {code_span(result.path)}\n\n"
        f"Stack: {result.stack.stack} (confidence {result.stack.confidence:.2f}).\n"
    ]
    for candidate in result.candidates:
        heading = f"\n## `Dockerfile.{candidate.strategy}` ({candidate.identity})\n\n"
        parts.append(heading + rationale_markdown(candidate))
    for title, items in (("Rejected", result.rejected), ("Not attempted", result.skipped)):
        if items:
            parts.append(f"\n## {title}\n\n")
            parts.extend(f"- {item.strategy}: {message_text(item.reason)}\n" for item in items)
    if result.start.problems:
        parts.append("\n## Start-up problems\n\n")
        parts.extend(f"- {message_text(problem)}\n" for problem in result.start.problems)
    return "".join(parts)
