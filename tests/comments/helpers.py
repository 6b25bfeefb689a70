"""Build reviewed files from a base and a head text, as a pull request would give them; render Markdown as GitHub."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import cmarkgfm
from cmarkgfm.cmark import Options

from codi.comments.review import ReviewComment
from codi.pipeline.config import LintConfig
from codi.pipeline.review import ChangedFile, FileReview, review_files
from codi.rules import all_rules


def only(*codes: str, **settings: object) -> LintConfig:
    """A config that reports only `codes` (rules added later change nothing), without ShellCheck."""
    ignored = frozenset(rule.code for rule in all_rules() if rule.code not in codes)
    return LintConfig(ignored=ignored, shellcheck=False, **settings)  # type: ignore[arg-type]


def github_patch(before: str, after: str) -> str:
    """The `patch` GitHub gives for a file changed from `before` to `after` (hunks, 3 lines of context)."""
    diff = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), n=3)
    lines = list(diff)[2:]
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def reviewed(before: str, after: str, *codes: str, path: str = "Dockerfile", **settings: object) -> FileReview:
    return review_files([ChangedFile(path, after, github_patch(before, after))], only(*codes, **settings))[0]


_SUGGESTION = re.compile(r"^(`{3,})suggestion\n(.*?)^\1$", re.MULTILINE | re.DOTALL)


def suggestion_of(comment: ReviewComment) -> str | None:
    """The suggestion block's content, line ends included, or None."""
    match = _SUGGESTION.search(comment.body)
    return match.group(2) if match else None


def accept_suggestion(text: str, comment: ReviewComment) -> str:
    """What GitHub's "Commit suggestion" makes of `text`: the commented lines replaced by the block."""
    suggestion = suggestion_of(comment)
    assert suggestion is not None, comment.body
    lines = text.splitlines(keepends=True)
    first = (comment.start_line or comment.line) - 1
    return "".join(lines[:first]) + suggestion + "".join(lines[comment.line :])


_OUTSIDE_LINKS = ("code", "pre", "a")
_BLOCKS = frozenset({"p", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "pre", "summary", "blockquote", "br"})
_MENTION = re.compile(r"(?:^|[^\w`])@[a-z0-9][a-z0-9-]*(?:/[a-z0-9][a-z0-9_-]*)?", re.IGNORECASE)
"""GitHub's mention filter, as it runs over the rendered HTML's text outside code and links."""
_REFERENCE = re.compile(r"(?:^|[^\w/])(?:[\w.-]+/[\w.-]+)?#[0-9]+|(?<![0-9A-Za-z])GH-[0-9]+", re.IGNORECASE)
"""GitHub's issue references (`#1`, `owner/repo#1`, `GH-1`), found the same way."""


@dataclass
class Rendered:
    """What GitHub makes of a Markdown body: cmark-gfm's HTML (raw HTML kept, as GitHub keeps it before its
    sanitiser), and what that HTML holds."""

    html: str
    tags: list[str] = field(default_factory=list)
    """Every element opened, in order."""
    links: list[str] = field(default_factory=list)
    """The `href` of every `<a>`."""
    comments: list[str] = field(default_factory=list)
    """HTML comments (codi's markers)."""
    text: str = ""
    """The visible text, zero-width spaces left out (they show nothing)."""
    linked_later: list[str] = field(default_factory=list)
    """Mentions and issue references GitHub would link in the text outside code and links."""


class _Reader(HTMLParser):
    def __init__(self, rendered: Rendered) -> None:
        super().__init__(convert_charrefs=True)
        self.rendered = rendered
        self.inside: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.rendered.tags.append(tag)
        if tag == "a":
            self.rendered.links.append(dict(attrs).get("href") or "")
        if tag in _OUTSIDE_LINKS:
            self.inside.append(tag)
        if tag in _BLOCKS:
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _OUTSIDE_LINKS and tag in self.inside:
            self.inside.remove(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if not self.inside:
            found = _MENTION.findall(data) + _REFERENCE.findall(data)
            self.rendered.linked_later.extend(found)

    def handle_comment(self, data: str) -> None:
        self.rendered.comments.append(data)


def github_render(markdown: str) -> Rendered:
    """`markdown` rendered by cmark-gfm as GitHub renders comments and check runs (GFM: tables, autolinks,
    tag filter, strikethrough, task lists), raw HTML left in so that any of it shows."""
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    rendered = Rendered(html)
    reader = _Reader(rendered)
    reader.feed(html)
    reader.close()
    rendered.text = "".join(reader.text).replace("\u200b", "")
    return rendered


CODI_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "br"}
    | {"table", "thead", "tbody", "tr", "th", "td", "details", "summary", "a"}
)
"""The elements codi's own Markdown makes; `a` only for the links codi writes (rule docs)."""
