"""Renderers that turn lint results into the text of one output format.

`tty` is not here: it writes to a stream (colour depends on the terminal).
"""

from __future__ import annotations

from collections.abc import Callable

from codi.pipeline.lint import LintResult

Renderer = Callable[[list[LintResult]], str]


def renderers() -> dict[str, Renderer]:
    from codi.reports import checkstyle, codeclimate, json_report, sarif

    return {
        "json": json_report.render,
        "sarif": sarif.render,
        "checkstyle": checkstyle.render,
        "gitlab_codeclimate": codeclimate.render,
    }


def render(format_name: str, results: list[LintResult]) -> str:
    return renderers()[format_name](results)
