"""A stored run as a report: Markdown (`render_markdown`) and self-contained HTML (`render_html`).

Pure: a `codi.storage.runs.Run` in, text out; `codi report` and the web server do the reading and writing.
"""

from __future__ import annotations

from codi.reports.run.markdown import SECTIONS, render_markdown
from codi.reports.run.page import render_html

__all__ = ["SECTIONS", "render_html", "render_markdown"]
