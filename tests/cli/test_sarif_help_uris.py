"""Every rule in codi's SARIF has a help URI: hadolint's wiki for the DL rules, codi's reference page's own
section for the CD rules (GitHub code scanning links the rule from each alert)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from codi.cli.main import main
from codi.reports.rule_docs import HADOLINT_WIKI, RULES_PAGE

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
DOCKERFILE = "FROM debian\nEXPOSE 22\nWORKDIR app\nRUN apt-get update\n"
"""CD1001 (no USER), CD1002 (port 22), CD1003 (update without install), DL3006, DL3000 among others."""


def test_cd_and_dl_rules_link_their_documentation(tmp_path: Path, capsys) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    main(["analyze", "-f", "sarif", "--no-shellcheck", str(tmp_path / "Dockerfile")])
    rules = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]["rules"]
    uris = {rule["id"]: rule.get("helpUri") for rule in rules}
    assert {"CD1001", "CD1002", "CD1003", "DL3000", "DL3006"} <= set(uris)
    headings = set(re.findall(r"^## (\S+)$", REFERENCE.read_text(), re.MULTILINE))
    for code, uri in uris.items():
        if code.startswith("CD"):
            assert uri == f"{RULES_PAGE}#{code.lower()}" and code in headings  # GitHub's anchor of "## CD1001"
        else:
            assert uri == HADOLINT_WIKI + code
