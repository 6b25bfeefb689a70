"""The rule catalog: every rule module under `codi/rules/checks/`, found by name."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from codi.rules import checks
from codi.rules.base import LintContext, Rule

__all__ = ["LintContext", "Rule", "all_rules", "rule_by_code"]


@cache
def all_rules() -> tuple[Rule, ...]:
    """One instance of every rule, ordered by code."""
    found: list[Rule] = []
    for module_info in pkgutil.iter_modules(checks.__path__):
        module = importlib.import_module(f"{checks.__name__}.{module_info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__:
                found.append(value())
    return tuple(sorted(found, key=lambda rule: rule.code))


def rule_by_code(code: str) -> Rule | None:
    for rule in all_rules():
        if rule.code == code:
            return rule
    return None
