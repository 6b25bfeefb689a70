"""Renderers that turn lint results into the text of one output format."""

from __future__ import annotations

from collections.abc import Callable

from codi.pipeline.lint import LintResult

Renderer = Callable[[list[LintResult]], str]


def renderers() -> dict[str, Renderer]:
    from codi.reports import json_report

    return {"json": json_report.render}


def render(format_name: str, results: list[LintResult]) -> str:
    return renderers()[format_name](results)
