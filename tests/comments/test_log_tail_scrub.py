"""A failed build's log tail in the summary: clipped, and scrubbed of every credential codi.rules.secrets knows."""

from __future__ import annotations

from codi.comments.candidates import LOG_TAIL_SHOWN, candidate_sections, scrub_secrets
from codi.pipeline.measured import MeasuredBuilds
from tests.comments.test_candidates import ORIGINAL, _report, candidate, file_with

GITHUB_TOKEN = "ghp_" + "a1B2" * 9
AWS_KEY = "AKIA" + "Q" * 16


def test_secrets_printed_by_a_failed_build_are_redacted_in_the_comment() -> None:
    tail = (
        "x" * 5_000
        + f"\nStep 3/4 : RUN echo $TOKEN\n{GITHUB_TOKEN}\n"
        + f"aws key={AWS_KEY} url=https://bot:hunter2secret@registry.example.com/x\n"
        + "-----BEGIN RSA PRIVATE KEY-----\nERROR: returned a non-zero code: 1\n"
    )
    measured = MeasuredBuilds(
        {"Dockerfile": (_report("original", 10**8, 3), _report("minimal", 10**7, 2, status="fail", log_tail=tail))}
    )
    _, failed = candidate_sections([file_with(candidate(ORIGINAL, "minimal"))], measured=measured)
    body = failed.body
    for secret in (GITHUB_TOKEN, AWS_KEY, "hunter2secret", "BEGIN RSA PRIVATE KEY"):
        assert secret not in body
    assert "[redacted: GitHub token]" in body and "[redacted: AWS access key id]" in body
    assert "https://bot:[redacted: password in URL]@registry.example.com/x" in body
    assert "[redacted: private key]" in body and "ERROR: returned a non-zero code: 1" in body
    shown = body.split("End of the log:", 1)[1]
    assert shown.count("x") < LOG_TAIL_SHOWN < len(tail)  # clipped to its end


def test_scrub_keeps_text_without_secrets_and_redacts_each_token() -> None:
    assert scrub_secrets("pip install flask\nok\n") == "pip install flask\nok\n"
    assert scrub_secrets(f"a {GITHUB_TOKEN} b {GITHUB_TOKEN}") == "a [redacted: GitHub token] b [redacted: GitHub token]"
