"""The optimiser's candidates in the summary comment: collapsed sections with diff, rationale and estimate."""

from __future__ import annotations

import dataclasses

from codi.comments.candidates import (
    CANDIDATES_BUDGET,
    OptimizedFile,
    candidate_sections,
    estimate_text,
    sections_markdown,
)
from codi.comments.markdown import TEXT_LIMIT
from codi.comments.summary import summary_comment
from codi.pipeline.measured import ImageReport, MeasuredBuilds, ScanSummary
from codi.pipeline.optimize.model import (
    Candidate,
    Change,
    Estimate,
    OptimizeResult,
    Rejection,
    StackReport,
    StartCommand,
)
from tests.comments.helpers import github_render

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
    shown = github_render(section.body).text
    assert "base-image: python:3.11-slim <smaller>" in shown
    assert "Estimate: size ≈ 460 MB" in shown and "Basis: before: base python:3.11" in shown
    assert "```diff\n--- a/Dockerfile\n+++ b/Dockerfile (multi-stage)\n" in section.body
    assert "-FROM python:3.11\n+FROM python:3.11-slim\n" in section.body


def test_files_without_candidates_say_why() -> None:
    result = OptimizeResult("svc/Dockerfile", STACK, START, skipped=(Rejection("fixes", "no safe fix applies"),))
    [overview] = candidate_sections([OptimizedFile(ORIGINAL, result)])
    shown = github_render(overview.body).text
    assert "svc/Dockerfile (python): no candidate because fixes: no safe fix applies" in shown


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


def _report(strategy: str, size: int, layers: int, **changes: object) -> ImageReport:
    report = ImageReport(
        strategy=strategy, status="pass", reason=None, size_bytes=size, layers=layers, build_seconds=41.6,
        smoke="pass", wasted_bytes=0, efficiency=1.0, vulnerabilities=None, secrets=(), size_delta_ratio=None,
        layers_delta=None, vulnerabilities_delta=None, secrets_delta=None, missing_files=(), reused=False,
        key="k" * 64, cache_mounts="none", log_path=None, sbom_path=None, smoke_stop_seconds=0.2,
    )  # fmt: skip
    return dataclasses.replace(report, **changes)


def test_measured_builds_show_sizes_deltas_and_failures_and_failed_candidates_get_no_diff() -> None:
    slim = candidate(ORIGINAL.replace("python:3.11", "python:3.11-slim"))
    minimal = candidate(ORIGINAL.replace("python:3.11", "gcr.io/distroless/python3-debian12"), "minimal")
    scanned = ScanSummary("trivy 0.50.1", critical=0, high=1, medium=2, low=0, unknown=0)
    measured = MeasuredBuilds(
        {
            "Dockerfile": (
                _report("original", 1_020_000_000, 12, vulnerabilities=dataclasses.replace(scanned, high=9)),
                _report(
                    "multi-stage", 131_000_000, 9, size_delta_ratio=-0.8716, layers_delta=-3, vulnerabilities=scanned,
                    vulnerabilities_delta=-8, reused=True,
                ),
                _report(
                    "minimal", 60_000_000, 4, status="fail", smoke="fail",
                    reason="smoke test failed (port): exited 1 before port 8080 accepted a connection",
                    log_tail="ModuleNotFoundError: No module named 'flask'\n",
                ),
            )
        }
    )  # fmt: skip
    overview, multi, failed = candidate_sections([file_with(slim, minimal)], measured=measured)
    assert "#### Measured builds" in overview.body
    assert "| `Dockerfile` | original | pass | 1.02 GB | – | 12 | – | 11 | – | 0 | pass | 42 s |" in overview.body
    assert "| `Dockerfile` | multi-stage (reused) | pass | 131 MB | -87 % | 9 | -3 | 3 | -8 | 0 | pass | 42 s |" in (
        overview.body
    )
    assert "| minimal | **fail**: " in overview.body
    html = github_render(overview.body).html
    assert "<strong>fail</strong>: smoke test failed (port): exited 1 before port 8080" in html
    assert "measured on real builds" in overview.body and "not measurements" not in overview.body
    assert multi.title == "<code>Dockerfile</code>: multi-stage candidate, measured 1.02 GB → 131 MB (-87 %), layers 12 → 9"
    assert "```diff" in multi.body
    assert failed.title == "<code>Dockerfile</code>: minimal candidate failed"
    assert "```diff" not in failed.body and "Not recommended: smoke test failed" in github_render(failed.body).text
    assert "No module named 'flask'" in failed.body


def test_unscanned_images_say_not_scanned_and_a_build_note_is_shown() -> None:
    measured = MeasuredBuilds({"Dockerfile": (_report("original", 10**8, 3), _report("fixes", 9 * 10**7, 3))})
    overview, _ = candidate_sections([file_with(candidate(ORIGINAL, "fixes"))], measured=measured)
    assert "| 100 MB | – | 3 | – | not scanned | – |" in overview.body
    note = MeasuredBuilds({}, note="Nothing was built: the repository archive unpacks to more than 1024 MiB.")
    overview, _ = candidate_sections([file_with(candidate(ORIGINAL, "fixes"))], measured=note)
    shown = github_render(overview.body).text
    assert "Nothing was built: the repository archive unpacks to more than 1024 MiB." in shown
