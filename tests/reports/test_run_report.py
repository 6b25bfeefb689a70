"""The run report (codi/reports/run): every section for a rich run, its figures worked out from the run, and
hostile text (paths, Dockerfile lines, messages, repository names, model output) only ever shown as text: in
the Markdown as GitHub renders it (cmark-gfm), in the HTML as a browser parses it; the HTML loads nothing."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from codi.comments.markdown import RULES_PAGE
from codi.comments.summary import report_url, summary_comment
from codi.pipeline.optimize.preservation import runtime_profile
from codi.pipeline.parser import parse
from codi.reports.run import SECTIONS, render_html, render_markdown
from codi.reports.run.facts import run_facts
from codi.settings import SettingsError, load_settings
from codi.storage.runs import Run
from tests.comments.helpers import CODI_TAGS, github_render
from tests.infra.test_secret_files import environment  # noqa: F401 (the fixture)
from tests.reports.runs import (
    CANDIDATE_BYTES,
    FALLBACK,
    HOSTILE,
    IMG,
    ORIGINAL_BYTES,
    PYTHON,
    PYTHON_PATH,
    SCRIPT,
    TEMPLATE,
    rich_run,
)


@pytest.fixture(scope="module")
def run() -> Run:
    return rich_run()


@pytest.fixture(scope="module")
def markdown(run: Run) -> str:
    return render_markdown(run)


@pytest.fixture(scope="module")
def page(run: Run) -> Page:
    return read_page(render_html(run))


@dataclass
class Page:
    """What a browser makes of the HTML: elements, attributes, text, inline CSS."""

    html: str
    tags: Counter[str] = field(default_factory=Counter)
    attributes: list[tuple[str, str, str]] = field(default_factory=list)
    """(element, attribute, value) for every attribute."""
    text: str = ""
    styles: list[str] = field(default_factory=list)
    measured_bars: int = 0
    estimated_bars: int = 0
    bar_titles: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.open, self.text = page, [], []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.tags[tag] += 1
        self.open.append(tag)
        self.page.attributes.extend((tag, name, value or "") for name, value in attrs)
        classes = (dict(attrs).get("class") or "").split()
        if tag == "rect" and "measured" in classes:
            self.page.measured_bars += 1
        if tag == "rect" and "estimated" in classes:
            self.page.estimated_bars += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] == "style":
            self.page.styles.append(data)
        elif self.open[-2:] == ["rect", "title"]:
            self.page.bar_titles.append(data)
        self.text.append(data)


def read_page(html: str) -> Page:
    page = Page(html)
    reader = _Reader(page)
    reader.feed(html)
    reader.close()
    page.text = "".join(reader.text)
    return page


def test_every_section_is_there_in_both_formats(markdown: str, page: Page) -> None:
    headings = re.findall(r"^## (.+)$", markdown, re.MULTILINE)
    assert headings == list(SECTIONS)
    assert re.findall(r"<h2>(.+?)</h2>", page.html) == list(SECTIONS)
    for title in SECTIONS:
        assert f'href="#{title.lower().replace(" ", "-")}"' in page.html
        assert f'<section id="{title.lower().replace(" ", "-")}">' in page.html


def test_key_metrics_are_worked_out_from_the_run(run: Run, markdown: str, page: Page) -> None:
    """The Python file was built: its best candidate (multi-stage, ranked first) is 250.0 MB of a 1.00 GB
    original, 75.0 % smaller, measured; the Node file was not: its figures are the optimiser's, labelled."""
    reduction = 1 - CANDIDATE_BYTES["multi-stage"] / ORIGINAL_BYTES
    assert f"{reduction:.1%}".replace("%", " %") == "75.0 %"
    python_row = next(line for line in markdown.splitlines() if line.startswith("| `svc/"))
    assert python_row.endswith("| python | 10 | 1.00 GB | multi\\-stage | 250.0 MB | 75.0 % smaller |")
    node = run.files[1]
    best = next(c for c in node.candidates if c.strategy == node.ranking.order[0])  # type: ignore[union-attr]
    before, after = best.estimate.size_bytes_before, best.estimate.size_bytes_after
    assert before and after is not None
    estimated = f"≈ {(1 - after / before):.1%} smaller (estimate)".replace("%", " %")
    node_row = next(line for line in markdown.splitlines() if line.startswith("| ````web/"))
    sizes = f"≈ {before / 1e6:.1f} MB (estimate) | {best.strategy} | ≈ {after / 1e6:.1f} MB (estimate)"
    assert node_row.endswith(f"| {sizes} | {estimated} |")
    findings = sum(len(f.findings) for f in run.files)
    counts = {"Findings": findings, "Candidates": 4, "Candidates built (passed)": "2 (2)"}
    for metric, value in counts.items():
        assert f"| {metric} | {value} |" in markdown
        assert f"<tr><td>{metric}</td><td class=\"number\">{value}</td></tr>" in page.html
    assert "| build | 30.250 |" in markdown and "<tr><td>build</td><td class=\"number\">30.250</td></tr>" in page.html
    for text in ("250.0 MB", "75.0 % smaller", f"≈ {before / 1e6:.1f} MB (estimate)", estimated):
        assert text in page.text


def test_the_size_chart_has_one_solid_bar_per_measured_image_and_labels_the_estimates(run: Run, page: Page) -> None:
    measured = [m for file in run.files for m in file.measurements if m.size_bytes is not None]
    assert page.measured_bars == len(measured) == 3
    assert page.estimated_bars == 1 + len(run.files[1].candidates)
    assert page.tags["svg"] == 2
    assert "multi-stage: 250.0 MB" in page.bar_titles and "original: 1.00 GB" in page.bar_titles
    estimated = [title for title in page.bar_titles if "estimate" in title]
    assert len(estimated) == page.estimated_bars and all(t.endswith("— estimate, not measured") for t in estimated)
    widths = [float(value) for tag, name, value in page.attributes if tag == "rect" and name == "width"]
    assert 400.0 in widths and 100.0 in widths  # the original at full width, multi-stage a quarter of it


def test_start_command_rewrites_say_what_each_candidate_runs(run: Run, markdown: str, page: Page) -> None:
    before = runtime_profile(parse(PYTHON)).start
    assert before == ("/bin/sh", "-c", "python app.py")
    rewrites = [c.start for file in run_facts(run).files for c in file.candidates if c.start is not None]
    assert len(rewrites) == 4 and {r.after for r in rewrites} == {("python", "app.py"), ("npm", "start")}
    row = '| `["/bin/sh", "-c", "python app.py"]` | `["python", "app.py"]` | fix\\:DL3025\\: Use the JSON form of CMD |'
    assert row in markdown
    assert "<code>[&#34;/bin/sh&#34;, &#34;-c&#34;, &#34;python app.py&#34;]</code>" in page.html


def test_security_notes_list_the_security_findings_users_and_vulnerabilities(markdown: str, page: Page) -> None:
    security = markdown.split("## Security Notes")[1].split("## Environment Snapshot")[0]
    for code in ("CD1001", "CD1006", "CD1010", "CD1011"):
        assert f"[{code}]({RULES_PAGE}#{code.lower()})" in security
    assert "DL3042" not in security  # not a security rule
    assert "Original runs as: root" in security and "multi\\-stage runs as: 10001\\:10001" in security
    assert "Vulnerabilities in multi\\-stage: 9" in security
    assert "Original runs as: root" in page.text and "multi-stage runs as: 10001:10001" in page.text


def test_model_text_is_labelled_as_model_output(markdown: str, page: Page) -> None:
    quoted = next(line for line in markdown.splitlines() if line.startswith("> **Model output"))
    assert "generated text, not checked by codi" in quoted
    rendered = github_render(quoted)
    assert "\n" not in rendered.text.strip() and "not a heading" in rendered.text
    assert " ".join(FALLBACK.split()) in rendered.text.replace("\u200b", "")
    block = page.html.split('<blockquote class="model-output">')[1].split("</blockquote>")[0]
    assert "Model output, not used" in block and "&lt;script&gt;alert(1)&lt;/script&gt;" in block


def test_markdown_shows_hostile_text_as_text_as_github_renders_it(markdown: str) -> None:
    """Rendered with the hostile strings and with `x` in their place, the report makes the same elements
    (code spans aside), the same links (codi's rule docs only), no HTML comment, mention or issue reference;
    the hostile strings are still there to read."""
    hostile, plain = github_render(markdown), github_render(render_markdown(rich_run(replace_hostile=True)))
    assert set(hostile.tags) <= CODI_TAGS and set(hostile.tags) - {"code"} == set(plain.tags) - {"code"}
    assert hostile.links == plain.links and all(link.startswith(RULES_PAGE) for link in hostile.links)
    assert hostile.comments == [] and hostile.linked_later == []
    assert not re.search(r"<(script|img|b)\b", hostile.html)
    for text in (SCRIPT, IMG, TEMPLATE, "<b>bold</b>", "@octocat #1", "[x](https://evil.example/)"):
        assert text in hostile.text


def test_html_runs_no_script_loads_nothing_and_shows_hostile_text_as_text(page: Page) -> None:
    loading = {"script", "img", "iframe", "object", "embed", "link", "base", "form", "audio", "video", "source"}
    assert not loading & set(page.tags)
    assert [(tag, name) for tag, name, _ in page.attributes if name.startswith("on")] == []
    for tag, name, value in page.attributes:
        if name in ("src", "href", "xlink:href", "action", "srcset"):
            assert value.startswith("#") or value.startswith(RULES_PAGE), (tag, name, value)
        assert "http" not in value or (name == "href" and value.startswith(RULES_PAGE)), (tag, name, value)
    assert page.tags["style"] == 1 and not re.search(r"@import|url\(\s*['\"]?(?!#)", " ".join(page.styles))
    assert "http" not in " ".join(page.styles)
    for text in HOSTILE:
        assert text.replace("<!--", "<!\u200b--") in page.text
    assert "49" not in page.text.replace(TEMPLATE, "")  # {{ 7*7 }} is text, not evaluated
    assert PYTHON_PATH in page.text


def test_html_diffs_are_side_by_side_and_unified(run: Run, page: Page) -> None:
    facts = run_facts(run)
    multi = next(c for c in facts.files[0].candidates if c.candidate.strategy == "multi-stage")
    assert [row.left for row in multi.rows if row.left is not None] == PYTHON.splitlines()
    assert [row.right for row in multi.rows if row.right is not None] == multi.candidate.text.splitlines()
    assert page.tags["table"] >= 4 and page.html.count('<table class="diff">') == 4
    assert page.html.count("<summary>Unified diff</summary>") == 4
    assert '<tr class="equal"><td class="number">' in page.html and '<tr class="insert">' in page.html


def test_invisible_characters_are_shown_in_both_formats(run: Run) -> None:
    tricky = run.model_copy(deep=True)
    tricky.files[0].path = "rtl\u202eevil\u2066/Dockerfile"
    tricky.files[0].text = PYTHON.replace("WORKDIR /app", "WORKDIR /app\u202e\x1b[2J")
    html = render_html(tricky)
    assert "\u202e" not in html and "\x1b" not in html and "rtl&lt;U+202E&gt;evil&lt;U+2066&gt;/Dockerfile" in html
    assert "WORKDIR /app&lt;U+202E&gt;&lt;U+001B&gt;[2J" in html
    markdown = render_markdown(tricky)
    assert "\u202e" not in markdown and "\x1b" not in markdown


def test_a_run_without_files_still_has_every_section(run: Run) -> None:
    empty = run.model_copy(update={"files": [], "durations": {}, "detail": None, "id": 3})
    markdown, page = render_markdown(empty), read_page(render_html(empty))
    assert re.findall(r"^## (.+)$", markdown, re.MULTILINE) == list(SECTIONS)
    assert "No candidate.\n" in markdown and "No candidate was ranked." in page.text and "svg" not in page.tags


def test_the_summary_comment_links_the_report_when_a_public_url_is_set() -> None:
    url = report_url("https://codi.example.com/base/", 12)
    assert url == "https://codi.example.com/base/runs/12/report"
    rendered = github_render(summary_comment([], "a" * 40, report=url))
    assert rendered.links == [url] and "Full report of this run" in rendered.text
    assert "report" not in summary_comment([], "a" * 40).lower()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("codi.example.com", "must be an http(s) URL"),
        ("https://codi.example.com/a b", "without spaces"),
        ("https://codi.example.com/x)[y](https://evil", "brackets"),
        ("https://codi.example.com/?q=1", "a query"),
        ('https://codi.example.com/"><script>', "quotes"),
    ],
)
def test_a_bad_public_url_stops_start_up_naming_the_variable(
    value: str, problem: str, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CODI_WEBHOOK_SECRET", "secret")
    environment.setenv("CODI_PUBLIC_URL", value)
    with pytest.raises(SettingsError, match=re.escape("CODI_PUBLIC_URL must be an http(s) URL")) as error:
        load_settings()
    assert problem in str(error.value)


def test_a_public_url_loses_its_trailing_slash(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("CODI_WEBHOOK_SECRET", "secret")
    assert load_settings().public_url == ""
    environment.setenv("CODI_PUBLIC_URL", "https://codi.example.com:8443/codi/")
    assert load_settings().public_url == "https://codi.example.com:8443/codi"
