"""The summary comment: found by its marker, a findings table, room for later sections, under 65,536."""

from __future__ import annotations

from dataclasses import replace

from codi.comments.summary import (
    SUMMARY_MARKER,
    SummarySection,
    is_summary_comment,
    render_section,
    summary_comment,
)
from tests.comments.helpers import reviewed

BASE = "FROM debian:12\n"
HEAD = "FROM debian:12\nRUN apt-get update && \\\n    apt-get install curl\nWORKDIR app\n"
CODES = ("DL3000", "DL3008", "DL3014", "CD2005")
SHA = "0123456789abcdef0123456789abcdef01234567"


def test_findings_table_with_fixability_and_how_to_apply():
    body = summary_comment([reviewed(BASE, HEAD, *CODES)], SHA)
    assert body.startswith(SUMMARY_MARKER + "\n") and is_summary_comment(body)
    assert "4 findings in 1 Dockerfile at commit `0123456`, 1 with a safe fix." in body
    rows = [line for line in body.splitlines() if line.startswith("| `Dockerfile`")]
    assert [row.split(" | ")[1:4] for row in rows] == [
        ["1", "[CD2005](https://github.com/codi-linter/codi/blob/main/docs/rules.md#cd2005)", "Info"],
        ["2", "[DL3008](https://github.com/codi-linter/codi/blob/main/docs/rules.md#dl3008)", "Warning"],
        ["2", "[DL3014](https://github.com/codi-linter/codi/blob/main/docs/rules.md#dl3014)", "Warning"],
        ["4", "[DL3000](https://github.com/codi-linter/codi/blob/main/docs/rules.md#dl3000)", "Error"],
    ]
    assert [row.rsplit(" | ", 1)[1] for row in rows] == ["unsafe |", "– |", "safe |", "– |"]
    assert "`apt-get install <package>`" in rows[1]
    assert "Comment `/codi apply` to commit the 1 safe fix to this branch" in body
    assert "`codi fix --unsafe PATH` also applies the 1 unsafe one: check the result." in body


def test_sections_come_after_the_findings_collapsed_unless_told():
    sections = [
        SummarySection("Smaller images", "| a | b |\n"),
        SummarySection("Build time", "3 s → 2 s", collapsible=False),
    ]
    body = summary_comment([reviewed(BASE, HEAD, *CODES)], SHA, sections)
    assert body.index("| `Dockerfile`") < body.index("<details>")
    assert "<details>\n<summary>Smaller images</summary>\n\n| a | b |\n\n</details>\n" in body
    assert body.endswith("\n### Build time\n\n3 s → 2 s\n")


def test_a_section_renders_on_its_own_as_in_the_comment():
    """The optimiser's candidates measure their sections with the summary's own renderer."""
    section = SummarySection("Smaller images", "| a | b |\n")
    assert render_section(section) == "\n<details>\n<summary>Smaller images</summary>\n\n| a | b |\n\n</details>\n"
    body = summary_comment([reviewed(BASE, HEAD, *CODES)], SHA, [section])
    assert body.endswith(render_section(section))


def test_no_dockerfile_and_no_findings():
    assert "changes no Dockerfile: nothing to review." in summary_comment([], SHA)
    clean = summary_comment([reviewed(BASE, BASE + "WORKDIR /app\n", "DL3000", "DL3014")], SHA)
    assert "No findings in 1 Dockerfile at commit `0123456`." in clean
    assert "| File |" not in clean and "/codi apply" not in clean


def test_a_long_table_is_cut_under_githubs_limit_with_a_note():
    review = reviewed(BASE, HEAD, *CODES)
    reviews = [replace(review, path=f"services/{'s' * 80}/{n}/Dockerfile") for n in range(1000)]
    section = SummarySection("Candidates", "kept whole")
    body = summary_comment(reviews, SHA, [section])
    assert len(body) < 65_536
    shown = sum(1 for line in body.splitlines() if line.startswith("| `services/"))
    assert 0 < shown < 4000
    assert f"_{4000 - shown} more findings not shown: GitHub limits a comment to 65,536 characters." in body
    assert body.endswith("<summary>Candidates</summary>\n\nkept whole\n\n</details>\n")


def test_only_codis_own_summary_is_recognised():
    body = summary_comment([], SHA)
    assert is_summary_comment(body)
    assert not is_summary_comment("> " + body)
    assert not is_summary_comment("Thanks codi! " + SUMMARY_MARKER)
