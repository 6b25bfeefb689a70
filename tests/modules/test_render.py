"""Golden, determinism and lint tests of the optimiser's multi-stage and minimal candidates.

Each `golden/<stack>/Dockerfile` is a small realistic single-stage original;
`golden/<stack>/<strategy>.Dockerfile` is the candidate codi must render,
byte for byte. After a deliberate change to a template, module or the
catalog, rewrite the expected files with

    CODI_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/modules

and review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codi.modules.render import CANDIDATE_LINT, SKIPPED, render_candidates
from codi.pipeline.findings import Severity
from codi.pipeline.lint import lint_text
from codi.pipeline.optimize_model import StackReport, StartCommand
from codi.pipeline.parser import parse
from codi.rules.catalog import load_catalog

GOLDEN = Path(__file__).parent / "golden"
PORTS = {"python": 8000, "node": 3000, "go": 8080, "java": 8080, "rust": None, "ruby": 4567}
EXPECTED_STRATEGIES = {
    "python": ("multi-stage", "minimal"),
    "node": ("multi-stage", "minimal"),
    "go": ("multi-stage", "minimal"),
    "java": ("multi-stage", "minimal"),
    "rust": ("multi-stage", "minimal"),
    "ruby": ("multi-stage",),
}


def _report(stack: str, port: int | None = None) -> StackReport:
    return StackReport(stack, 1.0, (), False, 0, (), port)


def _render(text: str, stack: str, start: StartCommand | None = None):
    start = start or StartCommand(None, False, None, None)
    return render_candidates(parse(text), _report(stack, PORTS.get(stack)), start, load_catalog())


@pytest.mark.parametrize("stack", sorted(EXPECTED_STRATEGIES))
def test_golden_candidates(stack: str) -> None:
    folder = GOLDEN / stack
    candidates, rejections = _render((folder / "Dockerfile").read_text(), stack)
    assert tuple(c.strategy for c in candidates) == EXPECTED_STRATEGIES[stack], rejections
    for candidate in candidates:
        expected = folder / f"{candidate.strategy}.Dockerfile"
        if os.environ.get("CODI_UPDATE_GOLDEN") == "1":
            expected.write_text(candidate.dockerfile)
        assert candidate.dockerfile == expected.read_text(), f"{stack} {candidate.strategy}"
    expected_files = {p.name for p in folder.glob("*.Dockerfile")}
    assert expected_files == {f"{c.strategy}.Dockerfile" for c in candidates}


@pytest.mark.parametrize("stack", sorted(EXPECTED_STRATEGIES))
def test_candidates_lint_clean_and_are_deterministic(stack: str) -> None:
    text = (GOLDEN / stack / "Dockerfile").read_text()
    first, _ = _render(text, stack)
    second, _ = _render(text, stack)
    def facts(candidates):
        return [(c.dockerfile, c.identity, c.changes) for c in candidates]

    assert facts(first) == facts(second)
    for candidate in first:
        findings = lint_text(candidate.dockerfile, CANDIDATE_LINT).findings
        bad = [f for f in findings if f.severity in (Severity.WARNING, Severity.ERROR)]
        assert bad == [], (stack, candidate.strategy, bad)
        assert "USER 10001:10001" in candidate.dockerfile
        assert candidate.template == f"{stack}-{candidate.strategy}"
        assert ("security", "1.0.0") in candidate.module_versions


def test_skipped_strategies_say_why() -> None:
    _, rejections = _render((GOLDEN / "ruby" / "Dockerfile").read_text(), "ruby")
    assert [r.strategy for r in rejections] == ["minimal"]
    assert rejections[0].reason.startswith(SKIPPED) and "distroless" in rejections[0].reason


def test_python_minimal_needs_the_distroless_python_version() -> None:
    _, rejections = _render((GOLDEN / "python" / "Dockerfile").read_text().replace("3.11", "3.12"), "python")
    assert [r.strategy for r in rejections] == ["minimal"]
    assert "3.12" in rejections[0].reason


def test_multi_stage_original_is_not_rewritten() -> None:
    text = (
        "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
        'FROM alpine:3.20\nCOPY --from=build /app /app\nCMD ["/app"]\n'
    )
    candidates, rejections = _render(text, "go")
    assert candidates == []
    assert all("already multi-stage" in r.reason for r in rejections)


def test_shell_form_start_uses_the_exec_conversion() -> None:
    text = (GOLDEN / "go" / "Dockerfile").read_text().replace('ENTRYPOINT ["api"]', "ENTRYPOINT api")
    start = StartCommand(None, True, ("api",), None)
    candidates, _ = _render(text, "go", start)
    assert candidates and all('ENTRYPOINT ["api"]' in c.dockerfile for c in candidates)


def test_unconvertible_shell_form_start_is_rejected_with_the_reason() -> None:
    text = (GOLDEN / "go" / "Dockerfile").read_text().replace('ENTRYPOINT ["api"]', "ENTRYPOINT api $FLAGS")
    start = StartCommand(None, True, None, "it expands $FLAGS")
    candidates, rejections = _render(text, "go", start)
    assert candidates == []
    assert all("expands $FLAGS" in r.reason for r in rejections)


def test_a_run_of_unknown_purpose_is_not_guessed_into_a_stage() -> None:
    original = (GOLDEN / "python" / "Dockerfile").read_text()
    text = original.replace("COPY . .\n", "COPY . .\nRUN python manage.py collectstatic\n")
    candidates, rejections = _render(text, "python")
    assert candidates == []
    assert any("line 9" in r.reason and "cannot tell which stage" in r.reason for r in rejections)


def test_candidate_changes_list_the_user_and_the_runtime_image() -> None:
    candidates, _ = _render((GOLDEN / "node" / "Dockerfile").read_text(), "node")
    minimal = next(c for c in candidates if c.strategy == "minimal")
    kinds = [change.kind for change in minimal.changes]
    expected = {"multi-stage", "base-image", "user", "cache-mount", "entrypoint", "start-command", "module-skipped"}
    assert expected <= set(kinds)
    assert 'CMD ["/nodejs/bin/node", "server.js"]' in minimal.dockerfile
