"""Package layout: a rule module defines only its rule; what rules share lives in codi/knowledge and codi/rules/base.py."""

from __future__ import annotations

import ast
from pathlib import Path

import codi.rules.checks

CHECKS = Path(codi.rules.checks.__file__).parent
CHECKS_PACKAGE = "codi.rules.checks"


def _imported_modules(path: Path) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: `from . import x`, `from .dl3022 import y`
                modules.append(f"{CHECKS_PACKAGE}.{node.module}" if node.module else CHECKS_PACKAGE)
            elif node.module is not None:
                modules.append(node.module)
                modules.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_no_rule_module_imports_another_rule_module():
    offenders = [
        f"{path.name} imports {imported}"
        for path in sorted(CHECKS.glob("*.py"))
        if path.name != "__init__.py"
        for imported in _imported_modules(path)
        if imported == CHECKS_PACKAGE or imported.startswith(CHECKS_PACKAGE + ".")
    ]
    assert offenders == []


def test_the_check_sees_an_import_of_another_rule(tmp_path):
    rule = tmp_path / "cd9999.py"
    rule.write_text(
        "from codi.rules.checks.dl3022 import copy_source\nfrom .dl3057 import x\nimport codi.rules.checks.cd2002\n"
    )
    assert [name for name in _imported_modules(rule) if name.startswith(CHECKS_PACKAGE)] == [
        "codi.rules.checks.dl3022",
        "codi.rules.checks.dl3022.copy_source",
        "codi.rules.checks.dl3057",
        "codi.rules.checks.cd2002",
    ]
