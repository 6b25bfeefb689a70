"""A run's report as one self-contained HTML page (`codi report RUN --format html`, served at `/runs/{id}/report`).

Nothing is fetched when it is opened: the CSS is inline, the size chart is inline SVG, there is no script,
font or image from anywhere. Jinja2 escapes every value (autoescape), and every string is shown with its
invisible characters spelt `<U+XXXX>` (codi.comments.markdown's `block_text`), so a path, a Dockerfile line
or the model's text is only ever text on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
import markupsafe

from codi.comments.markdown import RULES_PAGE, block_text, rule_url
from codi.reports.run.facts import (
    FileFacts,
    RunFacts,
    argv_text,
    estimate_sentence,
    reduction_text,
    run_facts,
    size_text,
    user_text,
)
from codi.reports.run.markdown import MODEL_OUTPUT_LABEL, SECTIONS
from codi.storage.runs import Run

CHART_WIDTH = 720
CHART_LABEL_WIDTH = 130
CHART_VALUE_WIDTH = 190
CHART_BAR_HEIGHT = 22
CHART_GAP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    measured: bool
    y: int
    width: float


@dataclass(frozen=True)
class SizeChart:
    """One Dockerfile's images as horizontal bars scaled to the largest; estimated ones hatched and labelled."""

    bars: tuple[Bar, ...]
    unknown: tuple[str, ...]
    """Images whose size is neither measured nor estimated (no bar)."""
    width: int = CHART_WIDTH
    label_width: int = CHART_LABEL_WIDTH
    bar_height: int = CHART_BAR_HEIGHT

    @property
    def height(self) -> int:
        return len(self.bars) * (CHART_BAR_HEIGHT + CHART_GAP) + CHART_GAP


def size_chart(file: FileFacts) -> SizeChart:
    sizes = [file.original, *(candidate.size for candidate in file.candidates)]
    known = [size for size in sizes if size.size_bytes is not None]
    largest = max((size.size_bytes or 0 for size in known), default=0) or 1
    room = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    bars = tuple(
        Bar(size.label, size_text(size), size.measured, CHART_GAP + index * (CHART_BAR_HEIGHT + CHART_GAP),
            max(1.0, round(room * (size.size_bytes or 0) / largest, 1)))  # fmt: skip
        for index, size in enumerate(known)
    )
    return SizeChart(bars, tuple(size.label for size in sizes if size.size_bytes is None))


def _shown(value: Any) -> Any:
    """Jinja's finalize: every string printed shows its invisible characters (escaping follows)."""
    if isinstance(value, markupsafe.Markup):  # a macro's output, its own values already shown
        return value
    return block_text(value) if isinstance(value, str) else value


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("codi.reports.run", ""),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_shown,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def rule_docs(code: str) -> str | None:
    """The rule's page in codi's repository; None for others (ShellCheck's wiki is not linked from the report)."""
    url = rule_url(code)
    return url if url is not None and url.startswith(RULES_PAGE) else None


def render_html(run: Run) -> str:
    facts: RunFacts = run_facts(run)
    template = _environment().get_template("report.html.j2")
    return template.render(
        run=run,
        facts=facts,
        sections=SECTIONS,
        charts=[size_chart(file) for file in facts.files],
        model_output_label=MODEL_OUTPUT_LABEL,
        size_text=size_text,
        reduction_text=reduction_text,
        argv_text=argv_text,
        user_text=user_text,
        estimate_sentence=estimate_sentence,
        rule_docs=rule_docs,
    )
