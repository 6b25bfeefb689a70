"""hadolint's checkstyle XML: one `<file>` per Dockerfile, one `<error>` per finding.

Attributes are those hadolint writes (column, line, message, severity,
source); the column is the finding's real column where hadolint always says 1.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from codi.pipeline.lint import LintResult

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry (control characters, undecodable bytes kept as surrogates)."""


def render(results: list[LintResult]) -> str:
    root = ET.Element("checkstyle", version="4.3")
    for result in results:
        file_node = ET.SubElement(root, "file", name=_xml_text(result.path))
        for finding in result.findings:
            ET.SubElement(
                file_node,
                "error",
                column=str(finding.column),
                line=str(finding.line),
                message=_xml_text(finding.message),
                severity=finding.severity.value,
                source=finding.code,
            )
    return '<?xml version="1.0" encoding="UTF-8"?>' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
