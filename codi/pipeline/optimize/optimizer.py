"""The orchestrator `optimize()`: the steps the package docstring lists, for one Dockerfile.

Its own module, not the package's `__init__`, so importing a leaf (`codi.pipeline.optimize.model`, which the
rules catalog and the modules import) does not import every strategy, and with them the catalog and the modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache

from codi.pipeline.optimize.strategies.fixes import fixes_candidate
from codi.pipeline.optimize.strategies.render import render_candidates
from codi.pipeline.optimize.strategies.slim import slim_candidates
from codi.pipeline.optimize.start import analyze_start
from codi.pipeline.model import Document
from codi.pipeline.optimize.model import (
    STRATEGIES,
    Candidate,
    OptimizeResult,
    Rejection,
    StartCommand,
)
from codi.pipeline.parser import parse
from codi.pipeline.optimize.preservation import RuntimeProfile, preservation_rejection, runtime_profile
from codi.pipeline.semantic import SemanticModel
from codi.pipeline.optimize.stack import detect_stack
from codi.rules.catalog import Catalog, load_catalog

MAX_CANDIDATES = 3


def optimize(
    path: str,
    text: str,
    context_files: Mapping[str, str] | None = None,
    catalog: Catalog | None = None,
) -> OptimizeResult:
    """Everything the optimiser says about one Dockerfile: its stack, start command and candidates.

    `catalog` is the rules catalog (the packaged one when None).
    """
    document = parse(text)
    stack = detect_stack(document, context_files)
    start = analyze_start(document, context_files)
    result = OptimizeResult(path, stack, start)
    blocker = _not_optimisable(document)
    if blocker is not None:
        return replace(result, skipped=tuple(Rejection(strategy, blocker) for strategy in STRATEGIES))
    generated: list[Candidate] = []
    skipped: list[Rejection] = []
    fixes = fixes_candidate(document)
    if isinstance(fixes, Candidate):
        generated.append(fixes)
    else:
        skipped.append(Rejection("fixes", fixes))
    slim, not_slim = slim_candidates(
        document, fixes.dockerfile if isinstance(fixes, Candidate) else document.text, start, stack.stack
    )
    generated.extend(slim)
    skipped.extend(not_slim)
    rendered, not_rendered = render_candidates(
        document, stack, start, catalog if catalog is not None else default_catalog(), context_files
    )
    generated.extend(rendered)
    skipped.extend(not_rendered)
    original = runtime_profile(document)
    candidates, rejected = _checked(document, original, generated, start)
    candidates, superseded = _without_superseded_slim(candidates)
    rejected.extend(superseded)
    return replace(
        result,
        candidates=tuple(candidates[:MAX_CANDIDATES]),
        rejected=tuple(sorted(rejected, key=_strategy_order)),
        skipped=tuple(sorted(skipped, key=_strategy_order)),
    )


@cache
def default_catalog() -> Catalog:
    """The packaged rules catalog, read and validated once per process (YAML parsing dominates otherwise)."""
    return load_catalog()


def _not_optimisable(document: Document) -> str | None:
    """Why no candidate can be made from a document: it does not parse, or builds no image."""
    if document.diagnostics:
        first = document.diagnostics[0]
        return f"the Dockerfile does not parse (line {first.span.line}: {first.message})"
    if not SemanticModel(document).stages:
        return "the Dockerfile has no FROM: it builds no image"
    return None


def _checked(
    document: Document, original: RuntimeProfile, generated: list[Candidate], start: StartCommand
) -> tuple[list[Candidate], list[Rejection]]:
    """Candidates that preserve the original (one per strategy, in strategy order) and the rejected."""
    kept: list[Candidate] = []
    rejected: list[Rejection] = []
    seen: set[str] = set()
    for candidate in sorted(generated, key=_strategy_order):
        if candidate.strategy in seen:
            continue
        if candidate.dockerfile == document.text:
            rejected.append(Rejection(candidate.strategy, "the candidate is the original unchanged"))
            continue
        candidate_document = parse(candidate.dockerfile)
        rejection = preservation_rejection(original, candidate, candidate_document, start)
        if rejection is not None:
            rejected.append(rejection)
            continue
        seen.add(candidate.strategy)
        kept.append(candidate)
    return kept, rejected


SLIM_SUPERSEDED = "superseded: a multi-stage or minimal candidate restructures the image (slim is for originals codi cannot restructure)"


def _without_superseded_slim(candidates: list[Candidate]) -> tuple[list[Candidate], list[Rejection]]:
    """The candidates without `slim` when a restructuring strategy also made one (see the module docstring)."""
    if not any(candidate.strategy in ("multi-stage", "minimal") for candidate in candidates):
        return candidates, []
    kept = [candidate for candidate in candidates if candidate.strategy != "slim"]
    return kept, [Rejection("slim", SLIM_SUPERSEDED)] if len(kept) < len(candidates) else []


def _strategy_order(item: Candidate | Rejection) -> tuple[int, str]:
    detail = item.reason if isinstance(item, Rejection) else item.dockerfile
    return STRATEGIES.index(item.strategy), detail
