"""The optimiser's candidates in the summary comment: collapsed sections with diff, rationale and estimate."""

from __future__ import annotations

from codi.comments.candidates import (
    CANDIDATES_BUDGET,
    OptimizedFile,
    candidate_sections,
    estimate_text,
    sections_markdown,
)
from codi.comments.markdown import TEXT_LIMIT
from codi.comments.summary import summary_comment
from codi.pipeline.optimize_model import (
    Candidate,
    Change,
    Estimate,
    OptimizeResult,
    Rejection,
    StackReport,
    StartCommand,
)

ORIGINAL = "FROM python:3.11\nCOPY . /app\nCMD python /app/app.py\n"
STACK = StackReport("python", 1.0, (), False, 0, ())
START = StartCommand(("/bin/sh", "-c", "python /app/app.py"), True, ("python", "/app/app.py"), None)
ESTIMATE = Estimate(460_000_000, 105_000_000, 2, 3, "before: base python:3.11 ≈ 370 MB. after: …")


def candidate(text: str, strategy: str = "multi-stage") -> Candidate:
    return Candidate(strategy, text, (Change("base-image", "python:3.11-slim <smaller>"),), ESTIMATE)


def file_with(*candidates: Candidate, path: str = "Dockerfile") -> OptimizedFile:
    return OptimizedFile(ORIGINAL, OptimizeResult(path, STACK, START, candidates=candidates))


def test_estimates_are_labelled_estimate() -> None:
    assert estimate_text(ESTIMATE) == "size ≈ 460 MB → 105 MB (-77 %), layers 2 → 3 (estimate)"
    assert estimate_text(Estimate(None, 10, 1, 1, "")) == (
        "size unknown (base image not in codi's table), layers 1 → 1 (estimate)"
    )


def test_each_candidate_is_a_collapsed_section_with_rationale_estimate_and_diff() -> None:
    text = ORIGINAL.replace("python:3.11", "python:3.11-slim")
    overview, section = candidate_sections([file_with(candidate(text))])
    assert not overview.collapsible and "- `Dockerfile` (python): multi-stage" in overview.body
    assert section.collapsible
    assert section.title == (
        "<code>Dockerfile</code>: multi-stage candidate, size ≈ 460 MB → 105 MB (-77 %), layers 2 → 3 (estimate)"
    )
    assert "- **base-image**: python:3.11-slim &lt;smaller>" in section.body
    assert "**Estimate**: size ≈ 460 MB" in section.body and "_Basis_: before: base python:3.11" in section.body
    assert "```diff\n--- a/Dockerfile\n+++ b/Dockerfile (multi-stage)\n" in section.body
    assert "-FROM python:3.11\n+FROM python:3.11-slim\n" in section.body


def test_files_without_candidates_say_why() -> None:
    result = OptimizeResult("svc/Dockerfile", STACK, START, skipped=(Rejection("fixes", "no safe fix applies"),))
    [overview] = candidate_sections([OptimizedFile(ORIGINAL, result)])
    assert "- `svc/Dockerfile` (python): no candidate because fixes: no safe fix applies" in overview.body


def test_a_long_diff_is_cut_with_a_note() -> None:
    long_text = ORIGINAL + "".join(f"RUN echo {index}\n" for index in range(5_000))
    sections = candidate_sections([file_with(candidate(long_text))])
    rendered = sections_markdown(sections)
    assert len(rendered) <= CANDIDATES_BUDGET
    assert "more diff lines: `codi optimize Dockerfile` shows the whole candidate" in sections[1].body
    assert sections[1].body.count("\n+RUN echo") < 5_000


def test_many_candidates_stay_within_the_budget_and_the_summary_within_githubs_limit() -> None:
    long_text = ORIGINAL + "".join(f"RUN echo {index}\n" for index in range(300))
    files = [
        file_with(candidate(long_text, strategy), path=f"svc{index}/Dockerfile")
        for index in range(60)
        for strategy in ("multi-stage", "minimal")
    ]
    sections = candidate_sections(files)
    assert len(sections_markdown(sections)) <= CANDIDATES_BUDGET
    assert "more candidates not shown" in sections[0].body
    body = summary_comment([], "0" * 40, sections)
    assert len(body) <= TEXT_LIMIT
    assert body.count("<details>") == body.count("</details>") == len(sections) - 1


def test_no_files_no_sections() -> None:
    assert candidate_sections([]) == []
