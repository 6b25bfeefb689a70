"""Findings and severities shared by the rules, the engine and every output."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from codi.pipeline.edits import Fix
from codi.pipeline.source import Span


class Severity(str, Enum):
    """hadolint's severities, most to least severe."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    STYLE = "style"
    IGNORE = "ignore"

    @property
    def rank(self) -> int:
        """0 for error … 4 for ignore."""
        return _ORDER.index(self)

    def at_least(self, threshold: Severity) -> bool:
        """True when this severity is as severe as `threshold` or more."""
        return self.rank <= threshold.rank

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read a severity name; hadolint's `none` means ignore."""
        value = text.strip().lower()
        if value == "none":
            return cls.IGNORE
        return cls(value)


_ORDER = [Severity.ERROR, Severity.WARNING, Severity.INFO, Severity.STYLE, Severity.IGNORE]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in one Dockerfile, with an optional fix."""

    code: str
    severity: Severity
    message: str
    span: Span
    fix: Fix | None = None

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column
