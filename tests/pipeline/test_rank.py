"""The deterministic scorer on hand-made measurement sets: order, points, exclusions, the pairs that may not swap."""

from __future__ import annotations

import random
from dataclasses import replace

from codi.pipeline.optimize.optimizer import default_catalog
from codi.pipeline.rank import CandidateFacts, rank

CATALOG = default_catalog()
WEIGHTS = dict(CATALOG.weights)
RISK = dict(CATALOG.strategy_risk)


def facts(strategy: str, size: int, **changes: object) -> CandidateFacts:
    base = CandidateFacts(
        id=strategy, strategy=strategy, basis="measured", passed=True, failure=None,  # type: ignore[arg-type]
        size_bytes=size, size_before=1_000, layers=5, layers_before=10, vulnerabilities=None,
        vulnerabilities_before=None, secrets=0, secrets_before=0, findings=0, findings_before=4,
        deliberate_changes=(),
    )  # fmt: skip
    return replace(base, **changes)


def test_weights_come_from_the_catalog() -> None:
    assert WEIGHTS["smoke"] == 100 and WEIGHTS["size"] == 30 and RISK == {"fixes": 0, "slim": 0.5, "multi-stage": 1, "minimal": 2}


def test_points_are_the_catalog_weights_times_the_measures() -> None:
    ranking = rank([facts("multi-stage", 250, deliberate_changes=("user",))], WEIGHTS, RISK)
    points = dict(ranking.scored[0].points)
    assert points == {
        "findings_fixed": 20.0, "layers": 2.5, "preservation_differences": -10.0, "secrets": 0.0, "size": 22.5,
        "smoke": 100.0, "strategy_risk": -8.0, "vulnerabilities": 0.0,
    }  # fmt: skip
    assert ranking.scored[0].score == 127.0


def test_a_much_smaller_image_outranks_a_riskless_one_and_failed_ones_are_never_ranked() -> None:
    candidates = [
        facts("fixes", 990, layers=10),
        facts("multi-stage", 300),
        facts("minimal", 100, passed=False, failure="smoke test failed (port): exited 1"),
    ]
    ranking = rank(candidates, WEIGHTS, RISK)
    assert ranking.order == ("multi-stage", "fixes")
    assert ranking.excluded == (("minimal", "smoke test failed (port): exited 1"),)


def test_same_input_same_order_whatever_the_input_order() -> None:
    candidates = [facts("fixes", 900), facts("multi-stage", 400, deliberate_changes=("user",)), facts("minimal", 380)]
    expected = rank(candidates, WEIGHTS, RISK)
    for seed in range(10):
        shuffled = candidates[:]
        random.Random(seed).shuffle(shuffled)
        assert rank(shuffled, WEIGHTS, RISK) == expected


def test_ties_go_to_the_lower_risk() -> None:
    tie = dict(WEIGHTS, strategy_risk=0.0)
    assert rank([facts("minimal", 500), facts("fixes", 500)], tie, RISK).order == ("fixes", "minimal")


def test_vulnerability_and_secret_terms_only_count_what_was_measured() -> None:
    scanned = facts("minimal", 500, vulnerabilities=5, vulnerabilities_before=50, secrets=0, secrets_before=1)
    unscanned = facts("multi-stage", 500)
    ranking = rank([scanned, unscanned], WEIGHTS, RISK)
    by_id = {s.id: dict(s.points) for s in ranking.scored}
    assert by_id["minimal"]["vulnerabilities"] == 22.5 and by_id["minimal"]["secrets"] == 40.0
    assert by_id["multi-stage"]["vulnerabilities"] == 0.0 and by_id["multi-stage"]["secrets"] == 0.0
    more_secrets = rank([facts("fixes", 900, secrets=2, secrets_before=1)], WEIGHTS, RISK)
    assert dict(more_secrets.scored[0].points)["secrets"] == -40.0


def test_estimates_get_no_smoke_points_and_are_marked() -> None:
    estimated = facts("multi-stage", 300, basis="estimate", passed=None, secrets=None, secrets_before=None)
    ranking = rank([estimated, facts("fixes", 990)], WEIGHTS, RISK)
    assert ranking.order == ("fixes", "multi-stage")  # a passed build beats an unbuilt estimate
    assert {s.id: s.basis for s in ranking.scored} == {"fixes": "measured", "multi-stage": "estimate"}


def test_smaller_and_less_vulnerable_candidates_may_never_be_put_below() -> None:
    small = facts("minimal", 100, vulnerabilities=2, vulnerabilities_before=40)
    mid = facts("multi-stage", 300, vulnerabilities=10, vulnerabilities_before=40)
    large = facts("fixes", 900, vulnerabilities=1, vulnerabilities_before=40)
    ranking = rank([small, mid, large], WEIGHTS, RISK)
    assert ranking.must_precede == (("minimal", "multi-stage"),)
    assert ranking.violation(["minimal", "fixes", "multi-stage"]) is None
    assert ranking.violation(["multi-stage", "minimal", "fixes"]) == (
        "puts multi-stage above minimal, which is both smaller and has fewer vulnerabilities"
    )
    assert ranking.violation(["minimal", "fixes"]) is not None
    assert ranking.violation(["minimal", "minimal", "fixes"]) is not None


def test_a_dominating_candidate_goes_first_even_when_it_scores_lower() -> None:
    # minimal is smaller with fewer CVEs, but its risk and listed changes cost it more points than it gains.
    minimal = facts("minimal", 500, vulnerabilities=9, vulnerabilities_before=10, deliberate_changes=("user", "base-image"))
    fixes = facts("fixes", 510, vulnerabilities=10, vulnerabilities_before=10)
    ranking = rank([minimal, fixes], WEIGHTS, RISK)
    scores = {s.id: s.score for s in ranking.scored}
    assert scores["fixes"] > scores["minimal"]
    assert ranking.order == ("minimal", "fixes") and ranking.violation(ranking.order) is None
