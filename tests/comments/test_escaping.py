"""Text from a pull request is inert wherever codi writes it, as GitHub's own Markdown (cmark-gfm) renders it.

Each renderer is fed hostile paths, messages, fix descriptions, build output and model text, and once the
same data with every hostile string replaced by `x`. Rendered, both must have the same elements (code spans
aside: backticks in a message may move where one ends), the same links (only codi's rule docs), the same
HTML comments (only codi's marker) and no mention or issue reference, and the hostile text must still be
there to read.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace

import pytest

from codi.comments.candidates import candidate_sections, rationale_file, sections_markdown
from codi.comments.check_run import check_run_report
from codi.comments.commands import (
    Command,
    CommandName,
    build_approved_text,
    build_refused_text,
    fork_refusal_text,
    help_text,
    permission_refusal_text,
)
from codi.comments.markdown import (
    TEXT_LIMIT,
    clip_lines,
    code_span,
    fence,
    html_text,
    inert_text,
    mention,
    message_text,
    plain_line,
    rule_url,
    table_cell,
)
from codi.comments.outcomes import skipped_lines, unfinished_summary
from codi.comments.preview import preview_markdown
from codi.comments.review import review_comments
from codi.comments.summary import SUMMARY_MARKER, summary_comment
from codi.pipeline.config import LintConfig
from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.limits import SkippedFile
from codi.pipeline.lint import LintResult
from codi.pipeline.measured import MeasuredBuilds
from codi.pipeline.optimize.model import Change, Rejection
from codi.pipeline.parser import parse
from codi.pipeline.review import FileReview, diff_lines
from codi.worker.jobs import _applied_text, _review_body, _superseded_output
from tests.comments.helpers import CODI_TAGS, Rendered, accept_suggestion, github_render, suggestion_of
from tests.comments.test_candidates import ORIGINAL, _report, candidate, file_with
from tests.comments.test_ranking_render import BY_MODEL

ATTACKS = {
    # what a pull request writes: what GitHub must show (whitespace runs as one space, invisible characters named)
    "`<img src=x onerror=alert(1)>`": "`<img src=x onerror=alert(1)>`",
    "@org/team and @octocat": "@org/team and @octocat",
    "www.evil.com": "www.evil.com",
    "HTTPS://x.y": "HTTPS://x.y",
    "javascript:alert(1)": "javascript:alert(1)",
    "mailto:a@b.c xmpp:a@b.c ftp://x.y/z": "mailto:a@b.c xmpp:a@b.c ftp://x.y/z",
    "a@b.com": "a@b.com",
    "``` ": "``` ",
    "| a | b |": "| a | b |",
    "[x](http://e) ![i](https://e/i.png)": "[x](http://e) ![i](https://e/i.png)",
    "<!-- codi:summary -->": "<!-- codi:summary -->",
    "<!-- codi:finding=0123456789abcdef -->": "<!-- codi:finding=0123456789abcdef -->",
    "#1 GH-2 o/r#3": "#1 GH-2 o/r#3",
    "line\n\n# heading\n<script>alert(1)</script>\n---": "line # heading <script>alert(1)</script> ---",
    "rtl\u202eevil\u2066.txt": "rtl<U+202E>evil<U+2066>.txt",
    "\x1b[2J\x1b[31mred\x00": "<U+001B>[2J<U+001B>[31mred<U+0000>",
    "<details><summary>x</summary>": "<details><summary>x</summary>",
    "~~s~~ *b* _i_ $x$ \\": "~~s~~ *b* _i_ $x$ \\",
    "&lt;b&gt; &#64;x": "&lt;b&gt; &#64;x",
}
BENIGN = "x"
INVISIBLE = {"\u202e": "<U+202E>", "\u2066": "<U+2066>", "\x1b": "<U+001B>", "\x00": "<U+0000>"}
UNSUGGESTED = [attack for attack in ATTACKS if "<!-- codi" in attack or set(attack) & set(INVISIBLE)]
"""Lines a ```suggestion cannot hold: a marker, or an invisible character (a code block shows it as `<U+…>`)."""
COMMENTABLE = "svc/Dockerfile"
"""Review comments need a path the diff reader takes: codi.pipeline.review.diff_lines cannot read a patch
for a path with a newline (the file then gets no review comment, only annotations)."""
SHA = "0123456789abcdef0123456789abcdef01234567"


def structure(rendered: Rendered) -> list[str]:
    return [tag for tag in rendered.tags if tag != "code"]


def kinds(comments: list[str]) -> list[str]:
    """HTML comments without the fingerprints, which differ with the text."""
    return [comment.split("=")[0] for comment in comments]


def squashed(text: str) -> str:
    """Text without backticks and whitespace: what a message shows whichever way its quotes pair up."""
    return re.sub(r"[`\s]", "", text)


def assert_inert(hostile: str, benign: str, *shown: str, markers: int = 0, quoted: tuple[str, ...] = ()) -> Rendered:
    """`hostile` renders like `benign`, no HTML, link, marker or mention of its own, and shows every `shown`
    exactly and every `quoted` (message text around backticks) with its letters in order."""
    ours, theirs = github_render(benign), github_render(hostile)
    assert set(theirs.tags) <= CODI_TAGS, theirs.html
    assert structure(theirs) == structure(ours), theirs.html
    assert theirs.links == ours.links, theirs.html
    assert kinds(theirs.comments) == kinds(ours.comments) and hostile.count("<!-- codi:") == markers, hostile
    assert theirs.linked_later == [], theirs.linked_later
    for text in shown:
        assert text.strip() in theirs.text, (text, theirs.text)
    for text in quoted:
        assert squashed(text) in squashed(theirs.text), (text, theirs.text)
    return theirs


@pytest.mark.parametrize("attack", ATTACKS)
def test_inert_text_shows_the_words_anywhere_on_a_line(attack: str) -> None:
    for template in ("{}", "Before {} after", "- {}", "> {}", "1. {}", "**{}**"):
        assert_inert(template.format(inert_text(attack)), template.format(BENIGN), ATTACKS[attack])


@pytest.mark.parametrize("attack", ATTACKS)
def test_code_span_cannot_be_broken_out_of(attack: str) -> None:
    for template in ("{}", "Path {} here", "- {}"):
        assert_inert(template.format(code_span(attack)), template.format(code_span(BENIGN)), ATTACKS[attack])
    [code] = re.findall(r"<code>(.*?)</code>", github_render(code_span(attack)).html, re.DOTALL)
    assert "<" not in code.replace("&lt;", "")


@pytest.mark.parametrize("attack", ATTACKS)
def test_table_cells_keep_the_table_whole(attack: str) -> None:
    def table(cell: str) -> str:
        return f"| File | Message |\n|---|---|\n| {table_cell(code_span(cell))} | {table_cell(message_text(cell))} |\n"

    rendered = assert_inert(table(attack), table(BENIGN), ATTACKS[attack], quoted=(ATTACKS[attack],))
    assert rendered.tags.count("td") == 2


@pytest.mark.parametrize("attack", ATTACKS)
def test_messages_quote_dockerfile_text_as_code_and_escape_the_rest(attack: str) -> None:
    def message(text: str) -> str:
        return f"label `{text}` is empty; {text} again"

    assert_inert(message_text(message(attack)), message_text(message(BENIGN)), quoted=(message(ATTACKS[attack]),))
    assert message_text("Use `apt-get -y` in `RUN`") == "Use `apt-get -y` in `RUN`"


@pytest.mark.parametrize("attack", ATTACKS)
def test_html_text_stays_inside_codis_summary_element(attack: str) -> None:
    def section(title: str) -> str:
        summary = f"<summary><code>{html_text(title)}</code>: {html_text(title)}</summary>"
        return f"<details>\n{summary}\n\nbody\n\n</details>\n"

    assert_inert(section(attack), section(BENIGN), ATTACKS[attack])


@pytest.mark.parametrize("attack", ATTACKS)
def test_fences_hold_any_text_and_never_a_marker(attack: str) -> None:
    block = fence(attack + "\n```\n~~~\n")
    rendered = assert_inert(block, fence(BENIGN))
    assert rendered.tags == ["pre", "code"]
    shown = "".join(INVISIBLE.get(char, char) for char in attack)
    assert rendered.text.strip("\n") == shown + "\n```\n~~~"
    assert "<!-- codi:" not in block


def test_replies_mention_a_login_and_never_a_team_or_anything_else() -> None:
    assert github_render(permission_refusal_text("octo-cat")).linked_later == [" @octo-cat"]
    for user in ("org/team", "app[bot]", "a@b.com", "@octocat", "x\n\n@octocat", "-x" * 30):
        for reply in (permission_refusal_text, fork_refusal_text):
            rendered = assert_inert(reply(user), reply("x"), ATTACKS.get(user, user).replace("\n\n", " "))
            assert rendered.linked_later == []
    assert mention("org/team") == inert_text("org/team")


def test_plain_line_stays_one_line_and_references_nobody() -> None:
    """The commit `/codi apply` makes lists the paths: a newline in one must not forge a trailer."""
    line = plain_line("a\nCo-authored-by: Evil <e@evil.com>\r\n#1 @org/team GH-3\u202e")
    assert "\n" not in line and "\r" not in line and "\u202e" not in line
    assert line.replace("\u200b", "") == "a Co-authored-by: Evil <e@evil.com> #1 @org/team GH-3<U+202E>"
    assert re.search(r"[@#](?!\u200b)|GH(?!\u200b)", line) is None


def test_a_cut_never_leaves_a_code_span_or_escape_open() -> None:
    lines = [f"- {code_span('<img src=x onerror=alert(1)> ' * n)} {inert_text('[x](http://e)')}\n" for n in range(30)]
    markdown = "".join(lines)
    for limit in range(0, len(markdown), 7):
        rendered = github_render(clip_lines(markdown, limit))
        assert "img" not in rendered.tags and rendered.links == [], limit


def hostile_review(attack: str, suggested: str | None = None, path: str | None = None) -> FileReview:
    """One finding on a changed line whose message, fix and path hold `attack`, with a suggestion holding
    `suggested` (`attack` unless told)."""
    path = f"svc/{attack}/Dockerfile" if path is None else path
    text = "FROM debian:12\nRUN echo hi\n"
    document = parse(text)
    replacement = f"'{attack if suggested is None else suggested}'"
    fix = Fix.safe(f"Quote {attack}", Edit(text.index("hi"), text.index("hi") + 2, replacement))
    message = f"label `{attack}` is empty: {attack}"
    finding = Finding("DL3014", Severity.WARNING, message, document.source.span(15, 26), fix)
    patch = "@@ -1 +1,2 @@\n FROM debian:12\n+RUN echo hi"
    return FileReview(path, LintResult(path, document, [finding]), *diff_lines(path, patch))


def hostile_sections(attack: str) -> str:
    path = f"svc/{attack}/Dockerfile"
    slim, minimal = candidate(ORIGINAL.replace("3.11", "3.12"), "multi-stage"), candidate(ORIGINAL, "minimal")
    slim = replace(slim, changes=(Change("base-image", f"from `{attack}` to {attack}"),))
    slim = replace(slim, estimate=replace(slim.estimate, basis=f"base {attack}"))
    measured = MeasuredBuilds(
        {
            path: (
                _report("original", 10**9, 9),
                _report("multi-stage", 10**8, 5, size_delta_ratio=-0.9, layers_delta=-4),
                _report("minimal", 10**8, 5, status="fail", smoke="fail", reason=attack, log_tail=attack + "\n```\n"),
            )
        },
        note=f"Built {attack}",
    )
    ranking = replace(
        BY_MODEL, path=path, summary=attack, reasons=(("fixes", attack),),
        telemetry=replace(BY_MODEL.telemetry, model=attack),
    )  # fmt: skip
    ranking = replace(ranking, ranking=replace(ranking.ranking, excluded=(("minimal", attack),)))
    files = [file_with(slim, minimal, path=path)]
    return sections_markdown(candidate_sections(files, measured=measured, ranked=[ranking]))


@pytest.mark.parametrize("attack", ATTACKS)
def test_summary_comment(attack: str) -> None:
    hostile = summary_comment([hostile_review(attack)], SHA) + hostile_sections(attack)
    benign = summary_comment([hostile_review(BENIGN)], SHA) + hostile_sections(BENIGN)
    path, shown = f"svc/{ATTACKS[attack]}/Dockerfile", ATTACKS[attack]
    rendered = assert_inert(hostile, benign, path, markers=1, quoted=(f"label `{shown}` is empty: {shown}",))
    assert rendered.links == [rule_url("DL3014")]
    assert rendered.comments == [SUMMARY_MARKER[4:-3]] and hostile.startswith(SUMMARY_MARKER)
    assert rendered.text.count(path) >= 6  # the table, the overview, the ranking, the measured table, 2 sections


@pytest.mark.parametrize("attack", ATTACKS)
def test_check_run_summary(attack: str) -> None:
    def summary(text: str) -> str:
        ranking = replace(BY_MODEL, path=f"svc/{text}/Dockerfile", telemetry=replace(BY_MODEL.telemetry, model=text))
        return check_run_report([hostile_review(text)], LintConfig(), [ranking]).summary

    rendered = assert_inert(summary(attack), summary(BENIGN), f"svc/{ATTACKS[attack]}/Dockerfile", ATTACKS[attack])
    assert rendered.links == []


@pytest.mark.parametrize("attack", ATTACKS)
def test_check_run_annotations_are_plain_text_clipped_to_githubs_limits(attack: str) -> None:
    """GitHub shows annotations as plain text: codi sends the path GitHub must find and the message as written."""
    [annotation] = check_run_report([hostile_review(attack)], LintConfig()).annotations
    assert annotation.path == f"svc/{attack}/Dockerfile"
    assert annotation.message == f"label `{attack}` is empty: {attack}"
    assert annotation.title == "DL3014 (warning)"


@pytest.mark.parametrize("attack", [attack for attack in ATTACKS if attack not in UNSUGGESTED])
def test_review_comment_with_a_byte_exact_suggestion(attack: str) -> None:
    review = hostile_review(attack, path=COMMENTABLE)
    [comment], [benign] = review_comments([review]), review_comments([hostile_review(BENIGN, path=COMMENTABLE)])
    text = review.result.document.source.text
    assert suggestion_of(comment) == f"RUN echo '{attack}'\n"
    assert accept_suggestion(text, comment) == review.result.findings[0].fix.apply(text)
    shown = ATTACKS[attack]
    rendered = assert_inert(comment.body, benign.body, markers=1, quoted=(f"label `{shown}` is empty: {shown}",))
    assert rendered.links == [rule_url("DL3014")]
    assert rendered.comments == [f" codi:finding={comment.fingerprint} "]


@pytest.mark.parametrize("attack", UNSUGGESTED)
def test_a_suggestion_that_would_spell_a_marker_or_hide_text_is_described_instead(attack: str) -> None:
    """A suggestion cannot change a byte, and codi's comment must carry no marker but its own and hide nothing."""
    [comment] = review_comments([hostile_review(attack, path=COMMENTABLE)])
    [benign] = review_comments([hostile_review(attack, suggested=BENIGN, path=COMMENTABLE)])
    assert suggestion_of(comment) is None and suggestion_of(benign) == "RUN echo 'x'\n"
    rendered = github_render(comment.body)
    assert f"Safe fix: Quote {ATTACKS[attack]} (not suggested here; /codi apply applies it)." in rendered.text
    assert set(rendered.tags) <= CODI_TAGS and "pre" not in rendered.tags and rendered.links == [rule_url("DL3014")]
    assert comment.body.count("<!-- codi:") == 1 and rendered.comments == [f" codi:finding={comment.fingerprint} "]


@pytest.mark.parametrize("attack", ATTACKS)
def test_codi_review_preview(attack: str) -> None:
    def preview(text: str) -> str:
        reviews = [hostile_review(text, suggested=BENIGN, path=f"svc/{text.replace(chr(10), ' ')}/Dockerfile")]
        report = check_run_report(reviews, LintConfig())
        return preview_markdown(report, review_comments(reviews), summary_comment(reviews, SHA))

    shown = ATTACKS[attack]
    assert_inert(preview(attack), preview(BENIGN), f"svc/{shown}/Dockerfile", markers=2, quoted=(shown,))


@pytest.mark.parametrize("attack", ATTACKS)
def test_rationale_file(attack: str) -> None:
    def rationale(text: str) -> str:
        result = file_with(replace(candidate(ORIGINAL), changes=(Change("fix", text),)), path=f"svc/{text}/D").result
        return rationale_file(replace(result, skipped=(Rejection("fixes", text),)))

    assert_inert(rationale(attack), rationale(BENIGN), f"svc/{ATTACKS[attack]}/D", quoted=(ATTACKS[attack],))


@pytest.mark.parametrize("attack", ATTACKS)
def test_command_replies(attack: str) -> None:
    for reply in (lambda t: help_text(Command(CommandName.UNKNOWN, f"/codi {t}")), permission_refusal_text):
        assert_inert(reply(attack), reply("user"), ATTACKS[attack])


@pytest.mark.parametrize("attack", ATTACKS)
def test_worker_replies_and_check_run_outputs(attack: str) -> None:
    path = f"svc/{attack}/Dockerfile"
    shown = f"svc/{ATTACKS[attack]}/Dockerfile"
    assert_inert(_applied_text(SHA, [path, "Dockerfile"]), _applied_text(SHA, ["x", "Dockerfile"]), shown)
    assert_inert(_review_body(attack, 2, 1, 2), _review_body(BENIGN, 2, 1, 2))
    assert_inert(_superseded_output(attack)["summary"], _superseded_output(BENIGN)["summary"])


def test_a_huge_hostile_message_is_clipped_before_escaping_and_the_body_stays_under_githubs_limit() -> None:
    """Escaping multiplies a message (`\u202e` takes 11 characters shown): codi clips the message, not the body."""
    review = hostile_review(BENIGN, path=COMMENTABLE)
    finding = replace(review.result.findings[0], message="\u202e<" * 500_000)
    review = replace(review, result=replace(review.result, findings=[finding]))
    [comment] = review_comments([review])
    summary = summary_comment([review], SHA)
    for body in (comment.body, summary):
        rendered = github_render(body)
        assert len(body) < TEXT_LIMIT and "<U+202E><<U+202E><" in rendered.text and "…" in rendered.text
    assert "<!-- codi:finding=" in comment.body and suggestion_of(comment) == "RUN echo 'x'\n"


@pytest.mark.parametrize("attack", ATTACKS)
def test_build_replies_and_unfinished_and_skipped_notes(attack: str) -> None:
    """The renderers other parts of issue 10 added, through the same helpers."""
    path = f"svc/{attack}/Dockerfile"
    assert_inert(build_approved_text(attack, attack), build_approved_text("user", BENIGN), ATTACKS[attack])
    assert_inert(build_refused_text(attack, SHA), build_refused_text(BENIGN, SHA), ATTACKS[attack])
    assert_inert(unfinished_summary(attack), unfinished_summary(BENIGN), ATTACKS[attack])
    skipped, benign = skipped_lines([SkippedFile(path, f"is {attack}")]), skipped_lines([SkippedFile("x", "is x")])
    assert_inert(skipped, benign, f"svc/{ATTACKS[attack]}/Dockerfile", ATTACKS[attack])
