"""The rule catalog: every rule is documented in the six sections and has its own code."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from codi.cli.main import main
from codi.pipeline.findings import Severity
from codi.reports.rule_docs import SECTIONS, reference_page, rule_doc, split_sections
from codi.rules import all_rules

RULES = all_rules()


def test_codes_are_unique_and_well_formed():
    counts = Counter(rule.code for rule in RULES)
    assert [code for code, count in counts.items() if count > 1] == []
    assert all(re.fullmatch(r"[A-Z]{2}\d{4}", code) for code in counts), sorted(counts)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_fully_documented(rule):
    doc = rule_doc(rule)
    assert doc.missing_sections() == [], f"{rule.code} ({doc.name}) docstring lacks {doc.missing_sections()}"
    assert list(doc.sections)[: len(SECTIONS)] == list(SECTIONS), f"{rule.code}: sections out of order"
    assert isinstance(rule.severity, Severity) and rule.message.strip()


def test_heading_inside_a_code_fence_is_content():
    sections = split_sections("## Example\n```dockerfile\n## not a heading\nRUN x\n```\n## Fix safety\nNone.")
    assert sections == {"Example": "```dockerfile\n## not a heading\nRUN x\n```", "Fix safety": "None."}


def test_rules_command_lists_every_rule(capsys):
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(RULES)
    for line, rule in zip(lines, RULES):
        assert line.split(None, 2) == [rule.code, rule.severity.value, rule.message.strip()]


def test_rules_markdown_is_the_reference_page(capsys):
    assert main(["rules", "--markdown"]) == 0
    page = capsys.readouterr().out
    assert page == reference_page(RULES)
    for rule in RULES:
        assert f"\n## {rule.code}\n" in page
        assert f"| [{rule.code}](#{rule.code.lower()}) |" in page
    assert page.count("\n### What it does\n") == len(RULES)


def test_docs_rules_page_is_generated_from_the_current_rules(capsys):
    """docs/rules.md is `codi rules --markdown`; regenerate it when a rule's doc changes."""
    from pathlib import Path

    from codi.cli.main import main

    main(["rules", "--markdown"])
    page = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert page.read_text() == capsys.readouterr().out, "run: codi rules --markdown > docs/rules.md"
