"""The optimiser's orchestration: fixes candidate, rendered candidates, preservation, estimates, order."""

from __future__ import annotations

import pytest

from codi.pipeline.optimize import optimizer as optimize_module
from codi.pipeline.optimize.optimizer import SLIM_SUPERSEDED, optimize
from codi.pipeline.optimize.model import Candidate, Change, Estimate, Rejection

PYTHON = """\
FROM python:3.11
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
EXPOSE 8000
CMD python app.py
"""

NO_ESTIMATE = Estimate(None, None, 0, 0, "made by hand")
RUNTIME_CHANGES = (Change("multi-stage", "builder"), Change("base-image", "slim"), Change("user", "non-root"))
FAITHFUL = """\
FROM python:3.11 AS builder
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
FROM python:3.11-slim
WORKDIR /app
COPY --from=builder /usr/local/lib/python3.11/site-packages /usr/local/lib/python3.11/site-packages
COPY . .
EXPOSE 8000
USER 10001
CMD ["python", "app.py"]
"""


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[Candidate]:
    """Candidates the generator 'renders', made by hand so the orchestration is tested on its own."""
    made: list[Candidate] = []
    monkeypatch.setattr(optimize_module, "render_candidates", lambda document, stack, start, catalog, context_files: (made, []))
    return made


def test_the_fixes_candidate_applies_safe_fixes_and_keeps_the_layout(rendered: list[Candidate]) -> None:
    result = optimize("Dockerfile", PYTHON)
    fixes = result.candidates[0]
    assert fixes.strategy == "fixes"
    assert fixes.dockerfile == PYTHON.replace("CMD python app.py", 'CMD ["python", "app.py"]').replace(
        "pip install -r", "pip install --no-cache-dir -r"
    )
    assert [change.kind for change in fixes.changes] == ["fix:DL3025", "fix:DL3042"]
    assert fixes.estimate.label == "estimate" and fixes.estimate.size_bytes_after < fixes.estimate.size_bytes_before
    assert fixes.estimate.basis.startswith("before: base python:3.11")


def test_no_fixes_candidate_when_nothing_changes(rendered: list[Candidate]) -> None:
    text = 'FROM alpine:3.20\nCMD ["true"]\n'
    result = optimize("Dockerfile", text)
    assert result.candidates == ()
    assert Rejection("fixes", "no safe fix applies") in result.skipped
    assert result.no_candidate_reason == (
        "fixes: no safe fix applies; slim: no slimmer base, layer to merge, build tool or cache to leave out "
        "(alpine:3.20 is already small; no non-root user: the start command is not an application "
        "codi knows runs unprivileged (a shell, a script, a daemon that drops privileges itself, a tool of the base "
        "image, or none))"
    )


def test_a_dockerfile_that_does_not_parse_gets_a_reason_not_a_crash() -> None:
    result = optimize("Dockerfile", "FROM python:3.11\nCMD [\"python\", app.py]\n")
    assert result.candidates == ()
    assert result.no_candidate_reason is not None
    assert result.no_candidate_reason.startswith("fixes: the Dockerfile does not parse (line 2:")
    assert [skip.strategy for skip in result.skipped] == ["fixes", "slim", "multi-stage", "minimal"]


def test_a_dockerfile_without_from_gets_a_reason() -> None:
    result = optimize("Dockerfile", "# nothing here\n")
    assert "the Dockerfile has no FROM: it builds no image" in (result.no_candidate_reason or "")


def test_a_candidate_that_changes_the_image_is_rejected_and_the_faithful_one_kept(rendered: list[Candidate]) -> None:
    rendered.append(Candidate("minimal", FAITHFUL.replace("EXPOSE 8000\n", ""), RUNTIME_CHANGES, NO_ESTIMATE))
    rendered.append(Candidate("multi-stage", FAITHFUL, RUNTIME_CHANGES, NO_ESTIMATE))
    result = optimize("Dockerfile", PYTHON)
    assert [c.strategy for c in result.candidates] == ["fixes", "multi-stage"]
    assert result.rejected == (
        Rejection("slim", SLIM_SUPERSEDED),
        Rejection("minimal", "does not preserve the original: drops EXPOSE 8000/tcp"),
    )
    multi = result.candidates[1]
    assert multi.estimate == NO_ESTIMATE, "the estimate is the generator's: the orchestrator keeps it"


def test_at_most_one_candidate_per_strategy_in_strategy_order(rendered: list[Candidate]) -> None:
    minimal = FAITHFUL.replace("python:3.11-slim", "python:3.11-alpine")
    rendered.extend(
        [
            Candidate("minimal", minimal, RUNTIME_CHANGES, NO_ESTIMATE),
            Candidate("multi-stage", FAITHFUL, RUNTIME_CHANGES, NO_ESTIMATE),
            Candidate("multi-stage", FAITHFUL.replace("10001", "10002"), RUNTIME_CHANGES, NO_ESTIMATE),
        ]
    )
    result = optimize("Dockerfile", PYTHON)
    assert [c.strategy for c in result.candidates] == ["fixes", "multi-stage", "minimal"]
    assert "USER 10001" in result.candidates[1].dockerfile


def test_the_same_input_gives_the_same_result() -> None:
    assert optimize("Dockerfile", PYTHON) == optimize("Dockerfile", PYTHON)
