"""Logging for codi's processes: credentials redacted from every record, hostile values clipped.

`configure_logging` is what `codi serve`, `codi worker` and the build workers call: it sets up the
root handler and puts a `RedactingFilter` on every root handler, so records of any logger that
propagates to the root (codi's own, httpx's, githubkit's, arq's, uvicorn's when uvicorn is run with
`log_config=None`) are redacted just before they are written, whoever formatted them. A filter on a
logger would miss records propagated from its children; one on the handler sees them all.

`clip` makes a value from a request (a header, a payload string) safe to put in a log line: control
characters (newlines that would forge a second line, ANSI escapes) are escaped and the length bounded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "[REDACTED]"
CLIP_CHARS = 100
"""How much of a request's own value a log line quotes."""

_PATTERNS = (
    # The archive redirect URL (codeload) and any other URL carrying a token in its query.
    re.compile(r"(?i)([?&](?:access_)?token=)[^&\s\"'#<>]+"),
    # Installation, personal, OAuth, user-to-server and refresh tokens; fine-grained personal tokens.
    re.compile(r"\b(?:gh[pousr]|github_pat)_[A-Za-z0-9_]+"),
    # JWTs (the App's, or any other): three base64url parts, the first a JSON header.
    re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"),
    # Authorization header values, as `Authorization: Bearer x`, `'authorization': 'token x'` or `authorization=x`.
    re.compile(r"(?i)(\bauthorization[\"']?\s*[:=]\s*[\"']?)(?:(?:bearer|token|basic|jwt)\s+)?[^\s\"',;}]+"),
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clip(value: object, limit: int = CLIP_CHARS) -> str:
    """`value` for a log line: control characters escaped, at most `limit` characters of it, the rest counted."""
    text = "" if value is None else str(value)
    shown = _CONTROL.sub(_escape, text[:limit])
    return shown if len(text) <= limit else f"{shown}…(+{len(text) - limit} chars)"


class RedactingFilter(logging.Filter):
    """Replaces tokens, JWTs, Authorization values and the given secrets in a record's message,
    arguments, exception and stack text with `REDACTED`; never drops a record."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        literal = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
        self._secrets = re.compile("|".join(map(re.escape, literal))) if literal else None

    def redact(self, text: str) -> str:
        if self._secrets is not None:
            text = self._secrets.sub(REDACTED, text)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda match: (match.group(1) if match.re.groups else "") + REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Formats the message once (arguments in it), redacts it and keeps it without arguments."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: keep both, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def install_redaction(secrets: Iterable[str] = ()) -> RedactingFilter:
    """Put one `RedactingFilter` on every handler of the root logger (after `logging.basicConfig`)."""
    redacting = RedactingFilter(secrets)
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(old)
        handler.addFilter(redacting)
    return redacting


def configure_logging(secrets: Iterable[str], format: str) -> RedactingFilter:
    """INFO logging to stderr in `format`, redacted (see `install_redaction`); the processes' one logging setup."""
    logging.basicConfig(level=logging.INFO, format=format)
    return install_redaction(secrets)
