"""The optimiser on the 260 corpus Dockerfiles: candidates or a clear reason, never a crash, deterministic."""

from __future__ import annotations

from functools import cache

import pytest

from codi.pipeline.optimize.optimizer import optimize
from codi.pipeline.optimize.model import STRATEGIES, OptimizeResult
from codi.pipeline.optimize.preservation import preservation_rejection, runtime_profile
from codi.pipeline.optimize.start import analyze_start
from codi.pipeline.optimize.strategies.slim import lints_worse
from codi.pipeline.parser import parse
from tests.corpus import corpus_files, read

FILES = corpus_files()
DETERMINISM_SAMPLE = FILES[::13]


@cache
def result_of(name: str) -> OptimizeResult:
    path = next(path for path in FILES if path.name == name)
    return optimize(path.name, read(path))


def test_the_corpus_is_there() -> None:
    assert len(FILES) == 260


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_candidates_or_a_clear_reason(path) -> None:
    result = result_of(path.name)
    strategies = [candidate.strategy for candidate in result.candidates]
    assert len(strategies) <= 3 and strategies == sorted(strategies, key=STRATEGIES.index)
    assert len(set(strategies)) == len(strategies)
    accounted = set(strategies) | {item.strategy for item in (*result.rejected, *result.skipped)}
    assert accounted == set(STRATEGIES), "every strategy is emitted, rejected or skipped with a reason"
    for item in (*result.rejected, *result.skipped):
        assert item.reason.strip()
    for candidate in result.candidates:
        assert candidate.estimate.label == "estimate" and candidate.estimate.basis
        assert candidate.dockerfile != read(path)
    if not result.candidates:
        assert result.no_candidate_reason


@pytest.mark.parametrize("path", DETERMINISM_SAMPLE, ids=lambda path: path.name)
def test_the_same_file_gives_byte_identical_candidates(path) -> None:
    again = optimize(path.name, read(path))
    assert again == result_of(path.name)
    assert [c.identity for c in again.candidates] == [c.identity for c in result_of(path.name).candidates]


SLIM_FILES = [path for path in FILES if any(c.strategy == "slim" for c in result_of(path.name).candidates)]


def test_slim_makes_candidates_on_the_corpus() -> None:
    assert len(SLIM_FILES) >= 80


@pytest.mark.parametrize("path", SLIM_FILES, ids=lambda path: path.name)
def test_a_slim_candidate_keeps_the_stages_preserves_the_original_and_lints_no_worse(path) -> None:
    text = read(path)
    (candidate,) = [c for c in result_of(path.name).candidates if c.strategy == "slim"]
    original, document = parse(text), parse(candidate.dockerfile)
    assert preservation_rejection(runtime_profile(original), candidate, document, analyze_start(original)) is None
    assert lints_worse(text, candidate.dockerfile) == []
    stages = [i for i in original.instructions if i.keyword == "FROM"]
    assert len([i for i in document.instructions if i.keyword == "FROM"]) == len(stages), "the stages are kept"
    assert candidate.changes and all(change.description for change in candidate.changes)
