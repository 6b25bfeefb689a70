"""Inline pragmas: `# hadolint ignore=…` and `# codi ignore=…` comments.

Same grammar and reach as hadolint:
- `# hadolint ignore=DL3008,SC2086 # reason` ignores the codes on the next line;
- `# hadolint stage ignore=…` ignores them until the next FROM;
- `# hadolint global ignore=…` ignores them everywhere;
- `# hadolint shell=powershell` tells ShellCheck which shell the RUNs use.
`codi` may stand in place of `hadolint` in each form.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from codi.pipeline.findings import Finding
from codi.pipeline.model import Document

_PRAGMA = re.compile(
    r"^[ \t]*(?:hadolint|codi)[ \t]+(?:(?P<scope>global|stage)[ \t]+)?ignore[ \t]*=[ \t]*"
    r"(?P<codes>[A-Z0-9]+(?:[ \t]*,[ \t]*[A-Z0-9]+)*)[ \t]*(?:#.*)?$"
)
_SHELL = re.compile(r"^[ \t]*(?:hadolint|codi)[ \t]+shell[ \t]*=[ \t]*(?P<shell>\S+)[ \t]*(?:#.*)?$")


@dataclass
class Pragmas:
    """The ignore pragmas of one document."""

    by_line: dict[int, set[str]] = field(default_factory=dict)
    stage_starts: list[int] = field(default_factory=list)
    stage_codes: list[set[str]] = field(default_factory=list)
    global_codes: set[str] = field(default_factory=set)
    shell: str | None = None

    def suppresses(self, finding: Finding) -> bool:
        code = finding.code
        if code in self.global_codes or code in self.by_line.get(finding.line, ()):
            return True
        index = bisect.bisect_left(self.stage_starts, finding.line) - 1
        return index >= 0 and code in self.stage_codes[index]


def read_pragmas(document: Document) -> Pragmas:
    pragmas = Pragmas()
    stage_entries: dict[int, set[str]] = {}
    for comment in document.comments:
        shell = _SHELL.match(comment.text)
        if shell:
            pragmas.shell = shell.group("shell")
            continue
        match = _PRAGMA.match(comment.text)
        if not match:
            continue
        codes = {code.strip() for code in match.group("codes").split(",")}
        scope = match.group("scope")
        line = comment.span.line
        if scope == "global":
            pragmas.global_codes |= codes
        elif scope == "stage":
            stage_entries[line + 1] = codes
        else:
            pragmas.by_line.setdefault(line + 1, set()).update(codes)
    for instr in document.instructions:
        if instr.keyword == "FROM":
            stage_entries.setdefault(instr.line, set())
    for line in sorted(stage_entries):
        pragmas.stage_starts.append(line)
        pragmas.stage_codes.append(stage_entries[line])
    return pragmas
