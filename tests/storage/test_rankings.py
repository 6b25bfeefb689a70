"""Ranking runs stored with the review, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from codi.app.metrics import Metrics
from codi.pipeline.rank import ModelTelemetry, RankedCandidates, rank
from codi.storage.database import init_db
from codi.storage.rankings import RankingStore
from tests.pipeline.test_rank import RISK, WEIGHTS, facts

RANKING = rank([facts("fixes", 990), facts("multi-stage", 300)], WEIGHTS, RISK)
FALLBACK = RankedCandidates(
    "svc/Dockerfile", RANKING.order, "deterministic", RANKING, (),
    telemetry=ModelTelemetry("SmolLM2-135M-Instruct.Q4_1", 480, 0, 30.2, "timeout"),
)  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> RankingStore:
    """A store on each backend; the PostgreSQL schema is made only for the PostgreSQL run."""
    url = f"sqlite:///{tmp_path / 'codi.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    return RankingStore(init_db(url))


def test_a_ranking_run_is_stored_with_its_telemetry(store: RankingStore) -> None:
    store.record("octo/app", "a" * 40, FALLBACK)
    [row] = store.for_commit("octo/app", "a" * 40)
    assert (row.path, row.source, row.ranked, row.deterministic) == (
        "svc/Dockerfile", "deterministic", ["multi-stage", "fixes"], ["multi-stage", "fixes"],
    )  # fmt: skip
    assert (row.model, row.prompt_tokens, row.output_tokens, row.latency_s, row.fallback_reason) == (
        "SmolLM2-135M-Instruct.Q4_1", 480, 0, 30.2, "timeout",
    )  # fmt: skip
    assert row.created_at.tzinfo is not None and store.for_commit("octo/app", "b" * 40) == []


def test_model_calls_are_counted_in_metrics() -> None:
    metrics = Metrics()
    assert FALLBACK.telemetry is not None
    metrics.count_model_call(FALLBACK.telemetry)
    metrics.count_model_call(ModelTelemetry("SmolLM2-135M-Instruct.Q4_1", 400, 50, 2.0, None))
    text = metrics.render().decode()
    assert 'codi_llm_calls_total{model="SmolLM2-135M-Instruct.Q4_1",outcome="fallback"} 1.0' in text
    assert 'codi_llm_calls_total{model="SmolLM2-135M-Instruct.Q4_1",outcome="used"} 1.0' in text
    assert 'codi_llm_tokens_total{kind="prompt",model="SmolLM2-135M-Instruct.Q4_1"} 880.0' in text
    assert 'codi_llm_call_duration_seconds_count{model="SmolLM2-135M-Instruct.Q4_1"} 2.0' in text
