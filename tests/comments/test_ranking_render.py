"""The ranking in the summary comment and the check run: order, scores, basis, who decided, model text labelled
and defused."""

from __future__ import annotations

from dataclasses import replace

from codi.comments.candidates import candidate_sections, ranking_markdown
from codi.comments.check_run import check_run_report
from codi.pipeline.config import LintConfig
from codi.pipeline.rank import ModelTelemetry, RankedCandidates, rank
from codi.pipeline.review import ChangedFile, review_files
from tests.comments.helpers import github_render
from tests.comments.test_candidates import candidate, file_with
from tests.pipeline.test_rank import RISK, WEIGHTS, facts

FACTS = (facts("fixes", 990), facts("multi-stage", 300), facts("minimal", 100, passed=False, failure="smoke test failed"))
RANKING = rank(FACTS, WEIGHTS, RISK)
TELEMETRY = ModelTelemetry("SmolLM2-135M-Instruct.Q4_1", 500, 60, 2.5, None)
BY_MODEL = RankedCandidates(
    "Dockerfile", ("multi-stage", "fixes"), "model", RANKING, FACTS,
    summary="Prefer @octocat's [choice](https://evil.example) <b>now</b>",
    reasons=(("fixes", "keeps *everything*"),), telemetry=TELEMETRY,
)  # fmt: skip


def test_model_ranking_is_shown_labelled_and_defused() -> None:
    text = ranking_markdown(BY_MODEL)
    assert text.startswith("**`Dockerfile`**: 1. **multi-stage** (score ")
    assert "2. **fixes** (score " in text and ", measured)" in text
    assert "- not ranked: minimal (smoke test failed)" in text
    assert "Ordered by the local model `SmolLM2-135M-Instruct.Q4_1` within the bounds of codi's scorer." in text
    assert "> **Model output** (`SmolLM2-135M-Instruct.Q4_1`; generated text, not checked by codi): " in text
    rendered = github_render(text)
    assert "Prefer @octocat's [choice](https://evil.example) <b>now</b>" in rendered.text
    assert rendered.links == [] and rendered.linked_later == [] and "b" not in rendered.tags
    assert "fixes: keeps *everything*" in rendered.text and "em" not in rendered.tags


def test_fallback_and_no_model_say_who_ordered() -> None:
    fallback = replace(BY_MODEL, order=RANKING.order, source="deterministic", summary=None, reasons=(),
                       telemetry=replace(TELEMETRY, fallback_reason="timeout"))  # fmt: skip
    assert "the model `SmolLM2-135M-Instruct.Q4_1`'s answer was not used: timeout." in ranking_markdown(fallback)
    alone = replace(fallback, telemetry=None)
    assert "Ordered by codi's deterministic scorer (weights in the rules catalog; no model configured)." in (
        ranking_markdown(alone)
    )


def test_summary_lists_the_ranking_and_candidates_best_first() -> None:
    fixes, multi = candidate("FROM python:3.11\n", "fixes"), candidate("FROM python:3.11-slim\n", "multi-stage")
    overview, first, second = candidate_sections([file_with(fixes, multi)], ranked=[BY_MODEL])
    assert "#### Ranking" in overview.body
    assert "multi-stage candidate" in first.title and "fixes candidate" in second.title


def test_check_run_names_the_top_candidate() -> None:
    reviews = review_files([ChangedFile("Dockerfile", "FROM debian:12\n", None)], LintConfig())
    report = check_run_report(reviews, LintConfig(), [BY_MODEL])
    assert "### Top candidates" in report.summary
    assert "- `Dockerfile`: **multi-stage** (score " in report.summary
    assert "measured, size -70 %; ordered by the model `SmolLM2-135M-Instruct.Q4_1`)" in report.summary
    assert "Top candidates" not in check_run_report(reviews, LintConfig()).summary

