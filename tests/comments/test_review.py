"""Review comments: on changed lines only, one hunk per multi-line comment, suggestions equal to the fixes."""

from __future__ import annotations

import json

import jsonschema
import pytest

from codi.comments.fingerprints import parse_finding_marker
from codi.comments.markdown import fence
from codi.comments.review import (
    REVIEW_COMMENTS_PER_REQUEST,
    ExistingComment,
    ReviewComment,
    plan_review_update,
    review_comment_batches,
    review_comments,
)
from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.lint import LintResult
from codi.pipeline.parser import parse
from codi.pipeline.review import FileReview, diff_lines
from tests.comments.helpers import accept_suggestion, github_render, reviewed, suggestion_of
from tests.github_api.spec import openapi_path


BASE = "FROM debian:12\nWORKDIR /app\n"
APT = "FROM debian:12\nWORKDIR /app\nRUN apt-get update && \\\n    apt-get install curl\n"


def test_single_line_suggestion_equals_the_fix():
    head = "FROM python:3.12\nRUN pip install flask\n"
    review = reviewed("FROM python:3.12\n", head, "DL3042")
    [comment] = review_comments([review])
    [finding] = review.result.findings
    assert (comment.path, comment.line, comment.start_line, comment.side) == ("Dockerfile", 2, None, "RIGHT")
    assert suggestion_of(comment) == "RUN pip install --no-cache-dir flask\n"
    assert accept_suggestion(head, comment) == finding.fix.apply(head)
    assert "**Warning** [DL3042](https://github.com/codi-linter/codi/blob/main/docs/rules.md#dl3042)" in comment.body


def test_multi_line_suggestions_equal_each_fix_alone():
    review = reviewed(BASE, APT, "DL3009", "DL3014", "DL3015")
    comments = review_comments([review])
    assert [c.body.split("]")[0] for c in comments] == ["**Info** [DL3009", "**Warning** [DL3014", "**Info** [DL3015"]
    for comment, finding in zip(comments, review.result.findings):
        assert (comment.start_line, comment.line) == (3, 4)
        if finding.code == "DL3015":  # unsafe since later steps may need recommended packages: no suggestion
            assert "```suggestion" not in comment.body and "Unsafe fix, not suggested" in comment.body
        else:
            assert accept_suggestion(APT, comment) == finding.fix.apply(APT)


def test_no_comment_on_lines_the_pull_request_did_not_change():
    """WORKDIR app is context in the hunk (commentable) but unchanged: the check run has it, the review does not."""
    base = "FROM debian:12\nWORKDIR app\n"
    review = reviewed(base, base + "RUN pip install flask\n", "DL3000", "DL3042")
    assert 2 in review.commentable and 2 not in review.added
    assert [c.line for c in review_comments([review])] == [3]
    assert [f.code for f in review.result.findings] == ["DL3000", "DL3042"]


def test_a_file_without_a_patch_gets_no_comments():
    review = reviewed(BASE, APT, "DL3014")
    review = FileReview(review.path, review.result, *diff_lines(review.path, None))
    assert review_comments([review]) == []


def long_run(install_line: int) -> str:
    """A RUN over lines 2-14 with `apt-get install` on line `install_line`."""
    lines = [f"    echo step{n} && \\" for n in range(3, 15)]
    lines[install_line - 3] = "    apt-get install curl && \\"
    return "FROM debian:12\nRUN apt-get update && \\\n" + "\n".join(lines) + "\n    true\n"


def test_a_finding_over_two_hunks_is_commented_from_its_first_line_to_its_fix_in_the_same_hunk():
    """RUN over lines 2-15, changed on lines 3 and 12 (two hunks); the fix is on line 3, in the first hunk."""
    head = long_run(install_line=3)
    base = head.replace("apt-get install curl", "apt-get install wget").replace("step12", "step twelve")
    review = reviewed(base, head, "DL3014")
    assert review.hunks == (range(1, 7), range(9, 16))
    [comment] = review_comments([review])
    [finding] = review.result.findings
    assert (comment.start_line, comment.line) == (2, 3)
    assert accept_suggestion(head, comment) == finding.fix.apply(head)


def test_a_fix_on_the_first_line_of_a_finding_over_two_hunks_keeps_its_suggestion():
    steps = "".join(f"    echo {n} && \\\n" for n in range(12))
    head = "FROM debian:12\nRUN apt-get install curl && \\\n" + steps + "    true\n"
    base = head.replace("curl", "wget").replace("echo 10", "echo ten")
    review = reviewed(base, head, "DL3014")
    assert len(review.hunks) == 2
    [comment] = review_comments([review])
    [finding] = review.result.findings
    assert (comment.start_line, comment.line) == (None, 2)
    assert accept_suggestion(head, comment) == finding.fix.apply(head)


def test_a_fix_outside_the_hunk_is_described_not_suggested():
    """The finding's lines 2-15 are in two hunks; its fix is on line 9, in neither: comment on line 2, no block."""
    head = long_run(install_line=9)
    base = head.replace("apt-get update", "apt-get  update").replace("step14", "step fourteen")
    review = reviewed(base, head, "DL3014")
    assert review.hunks == (range(1, 6), range(11, 16))
    [comment] = review_comments([review])
    assert (comment.start_line, comment.line) == (None, 2)
    assert suggestion_of(comment) is None
    assert "Safe fix: Add -y to apt-get install (not suggested here;" in github_render(comment.body).text


def test_an_unsafe_fix_is_never_suggested():
    review = reviewed("FROM scratch\n", "FROM debian:12\n", "CD2005")
    [comment] = review_comments([review])
    assert suggestion_of(comment) is None
    assert "Unsafe fix, not suggested: Use the 12-slim tag" in github_render(comment.body).text


def test_the_fence_is_longer_than_any_backtick_run_in_the_suggestion():
    text = "FROM debian:12\nRUN echo hi\n"
    document = parse(text)
    fix = Fix.safe("Quote with backticks", Edit(text.index("hi"), text.index("hi") + 2, "``` ```` `"))
    finding = Finding("DL3014", Severity.WARNING, "test", document.source.span(15, 26), fix)
    result = LintResult("Dockerfile", document, [finding])
    review = FileReview("Dockerfile", result, *diff_lines("Dockerfile", "@@ -1 +1,2 @@\n FROM debian:12\n+RUN echo hi"))
    [comment] = review_comments([review])
    assert "\n`````suggestion\nRUN echo ``` ```` `\n`````\n" in comment.body
    assert accept_suggestion(text, comment) == fix.apply(text)
    assert fence("no ticks") == "```\nno ticks\n```"
    assert fence("a `` b", "suggestion").startswith("```suggestion\n")


def test_each_comment_carries_its_fingerprint_marker():
    comments = review_comments([reviewed(BASE, APT, "DL3008", "DL3014")])
    assert [parse_finding_marker(c.body) for c in comments] == [c.fingerprint for c in comments]
    assert len({c.fingerprint for c in comments}) == 2


def test_payloads_match_githubs_create_review_schema():
    spec = json.loads(openapi_path().read_text())
    operation = spec["paths"]["/repos/{owner}/{repo}/pulls/{pull_number}/reviews"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["comments"]
    pip = reviewed("", "FROM python:3.12\nRUN pip install x\n", "DL3042")
    comments = review_comments([reviewed(BASE, APT, "DL3008", "DL3014"), pip])
    payloads = [c.as_payload() for c in comments]
    jsonschema.validate(payloads, schema)
    assert payloads[0]["start_line"] == 3 and payloads[0]["start_side"] == "RIGHT"
    assert "start_line" not in payloads[-1]


def comment(fingerprint: str, body: str = "") -> ReviewComment:
    return ReviewComment("Dockerfile", 1, None, body=body, fingerprint=fingerprint)


def existing(id: int, fingerprint: str | None, has_replies: bool = False) -> ExistingComment:
    marker = f"\n\n<!-- codi:finding={fingerprint} -->\n" if fingerprint else ""
    return ExistingComment(id, "text" + marker, has_replies)


FP = {name: f"{n:016x}" for n, name in enumerate("abcd", start=10)}


def test_plan_posts_only_findings_not_commented_yet():
    to_post, to_delete = plan_review_update([comment(FP["a"]), comment(FP["b"])], [existing(1, FP["a"])])
    assert [c.fingerprint for c in to_post] == [FP["b"]] and to_delete == []


def test_plan_deletes_comments_whose_finding_is_gone_unless_someone_replied():
    old = [existing(1, FP["a"]), existing(2, FP["b"], has_replies=True), existing(3, None)]
    to_post, to_delete = plan_review_update([comment(FP["c"])], old)
    assert [c.fingerprint for c in to_post] == [FP["c"]]
    assert to_delete == [1]


def test_plan_removes_a_repeated_comment_and_keeps_the_first():
    """What a crash between two posts can leave: the same finding twice."""
    old = [existing(7, FP["a"]), existing(5, FP["a"]), existing(9, FP["a"], has_replies=True)]
    assert plan_review_update([comment(FP["a"])], old) == ([], [7])


def test_plan_ignores_markers_quoted_by_people():
    quoted = ExistingComment(4, f"> <!-- codi:finding={FP['a']} -->\nI disagree", False)
    to_post, to_delete = plan_review_update([comment(FP["a"])], [quoted])
    assert len(to_post) == 1 and to_delete == []


def test_review_comments_are_sent_30_per_request():
    comments = [comment(f"{n:016x}") for n in range(61)]
    batches = review_comment_batches(comments)
    assert REVIEW_COMMENTS_PER_REQUEST == 30
    assert [len(b) for b in batches] == [30, 30, 1]
    assert [c for b in batches for c in b] == comments


def test_an_unreadable_patch_leaves_the_file_without_comments_not_without_findings():
    review = reviewed(BASE, APT, "DL3014")
    broken = FileReview(review.path, review.result, *diff_lines("Dockerfile", "@@ -1,2 +1,9 @@\n+only one line"))
    assert broken.commentable == frozenset() and broken.result.findings
    assert review_comments([broken]) == []


@pytest.mark.parametrize("size", [0, -1])
def test_batches_need_a_positive_size(size):
    from codi.comments.markdown import batched

    with pytest.raises(ValueError, match="batch size must be at least 1"):
        batched([1, 2], size)
