"""What a leaked secret looks like: token formats and secret file names.

A pure table plus small functions, shared by the rules that read a
Dockerfile (CD1006 values of ARG/ENV, CD1007 COPY/ADD sources and the files
credential variables name) and meant for reuse by anything that scans image
layers. Every pattern aims at few false
positives: a format with a fixed prefix, a private key header, a password
written as a literal.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TokenPattern:
    """One credential format: a short human name and the regex that finds it."""

    kind: str
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class SecretMatch:
    """A secret found in a text: its kind and its [start, end) offsets."""

    kind: str
    start: int
    end: int


def _token(kind: str, pattern: str) -> TokenPattern:
    return TokenPattern(kind, re.compile(pattern))


# A token that may start inside a run of its own characters (`\b` before `eyJ` in `eyJ-eyJ-…`) is
# looked for only at the start of the run: a start at every `-` rescanned the run (quadratic).
TOKEN_PATTERNS: tuple[TokenPattern, ...] = (
    _token("AWS access key id", r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])"),
    _token("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"),
    _token("GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b"),
    _token("GitLab token", r"\bglpat-[A-Za-z0-9_-]{20,}"),
    _token("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    _token("Slack webhook", r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+"),
    _token("Stripe secret key", r"\b[rs]k_live_[A-Za-z0-9]{20,}"),
    _token("Google API key", r"\bAIza[A-Za-z0-9_-]{35}"),
    _token("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    _token("PyPI token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
    _token("OpenAI API key", r"(?<![A-Za-z0-9_-])sk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"),
    _token("private key", r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    _token("JSON Web Token", r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}+\.eyJ[A-Za-z0-9_-]{10,}+\.[A-Za-z0-9_-]{10,}"),
)

# `scheme://user:password@host` with a literal password.
# Matched from the `://` on, the scheme checked backwards (`_has_scheme`): a leading `[a-z][a-z0-9+.-]*`
# tried at every word boundary of a long `a.a.a…` line made the search quadratic.
_URL_CREDENTIALS = re.compile(r"(?=(://[^\s/:@$]+:([^\s/@$]+)@[^\s/]+))")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
# `password=literal` / `passwd: literal` inside a longer value (JDBC URLs, JVM options, CLI flags).
_PASSWORD_ASSIGNMENT = re.compile(
    r"(?:^|(?<=[^A-Za-z0-9])|(?<=-D))(?:password|passwd|pwd)\s*[=:]\s*(?![-+=?{}])([^\s;,&'\"$]+)", re.IGNORECASE
)
# Values that are placeholders, not secrets.
_PLACEHOLDERS = frozenset(
    {
        "", "0", "1", "x", "xxx", "on", "off", "no", "yes", "true", "false", "none", "null", "nil",
        "changeme", "password", "secret", "placeholder",
    }
)


def find_tokens(text: str) -> list[SecretMatch]:
    """Credentials of a known format in `text` (tokens, key headers, URL and inline passwords)."""
    found = [SecretMatch(p.kind, m.start(), m.end()) for p in TOKEN_PATTERNS for m in p.regex.finditer(text)]
    for start, end in _url_passwords(text):
        if is_literal_secret(text[start:end]):
            found.append(SecretMatch("password in URL", start, end))
    for match in _PASSWORD_ASSIGNMENT.finditer(text):
        if is_literal_secret(match.group(1)):
            found.append(SecretMatch("password", match.start(1), match.end(1)))
    return sorted(found, key=lambda m: m.start)


def _url_passwords(text: str) -> Iterator[tuple[int, int]]:
    """Offsets of the password of each `scheme://user:password@host`, left to right, not overlapping."""
    taken = 0
    for match in _URL_CREDENTIALS.finditer(text):
        if match.start() >= taken and _has_scheme(text, match.start(), taken):
            taken = match.end(1)
            yield match.start(2), match.end(2)


def _has_scheme(text: str, colon: int, first: int) -> bool:
    """Whether a URL scheme (a letter at a word start, then letters, digits, `+`, `.`, `-`) starting at
    `first` or later ends at `colon`."""
    start = colon
    while start > first and text[start - 1] in _SCHEME_CHARS:
        start -= 1
    for index in range(start, colon):
        if text[index].isascii() and text[index].isalpha() and (index == 0 or not _is_word_char(text[index - 1])):
            return True
    return False


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


# Words of a variable name (split on `_`, `-`, `.`) that say its value is a
# credential, word pairs that do, and last words that say it is not.
SECRET_NAME_WORDS: frozenset[str] = frozenset({"password", "passwd", "pwd", "secret", "token", "apikey", "passphrase"})
SECRET_NAME_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {("api", "key"), ("private", "key"), ("access", "key"), ("auth", "key"), ("secret", "key")}
)
NON_SECRET_LAST_WORDS: frozenset[str] = frozenset(
    {"file", "path", "dir", "url", "uri", "name", "length", "ttl", "id", "enabled", "type", "header"}
)


def is_secret_name(name: str) -> bool:
    """Whether a variable with this name holds the credential itself (not a path or a setting of it)."""
    words = [word for word in re.split(r"[_.-]+", name.lower()) if word]
    if not words or words[-1] in NON_SECRET_LAST_WORDS:
        return False
    pairs = zip(words, words[1:])
    return bool(SECRET_NAME_WORDS.intersection(words)) or any(pair in SECRET_NAME_PAIRS for pair in pairs)


def is_literal_secret(value: str) -> bool:
    """Whether a value is written out (not a `$VAR` reference, a path or a placeholder)."""
    value = value.strip().strip("'\"")
    if value.lower() in _PLACEHOLDERS or "$" in value or value.startswith(("/", "<", "{")):
        return False
    return not re.fullmatch(r"\*+|x+|\.+", value, re.IGNORECASE)


# Basenames that are secrets whatever their directory.
SECRET_FILE_NAMES: frozenset[str] = frozenset(
    {
        "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
        ".env", ".npmrc", ".pypirc", ".netrc", "_netrc", ".git-credentials", ".pgpass",
        ".htpasswd", ".dockercfg", ".vault-token", "credentials.json", "service-account.json",
        "client_secret.json", "terraform.tfvars", "secrets.yml", "secrets.yaml", "secrets.json",
    }
)
# Path endings (with their directory) that are secrets.
SECRET_PATH_SUFFIXES: tuple[str, ...] = (
    ".aws/credentials", ".docker/config.json", ".kube/config", ".config/gh/hosts.yml",
    ".config/gcloud/application_default_credentials.json", ".ssh/authorized_keys",
)
# Variables that tell a tool where its credentials file is: a COPY to that path puts the file in the image.
SECRET_FILE_VARIABLES: frozenset[str] = frozenset(
    {
        "GOOGLE_APPLICATION_CREDENTIALS", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "HF_TOKEN_PATH", "KUBECONFIG", "AZURE_CLIENT_CERTIFICATE_PATH",
    }
)
# Extensions of private key and key store files.
SECRET_FILE_EXTENSIONS: tuple[str, ...] = (".key", ".p12", ".pfx", ".ppk", ".jks", ".keystore")
# `.env.example` and friends are templates meant to be committed.
_ENV_TEMPLATES = (".example", ".sample", ".template", ".dist", ".defaults", ".default")
# Words in a key or `.pem` name that say it is public: a certificate or a signing key to trust.
_PUBLIC_WORDS = frozenset(
    {
        "cert", "certs", "certificate", "crt", "ca", "cacert", "chain", "fullchain", "bundle", "root",
        "pub", "public", "pubkey", "gpg", "pgp", "asc", "keyring", "keyrings", "signing", "release",
    }
)
# Extensions and directories where public keys are installed (`/usr/share/keyrings/x.gpg`).
_PUBLIC_KEY_EXTENSIONS = (".pub", ".asc", ".gpg", ".crt", ".cer")
_PUBLIC_KEY_DIRS = ("keyrings/", "trusted.gpg.d/", "rpm-gpg/", "ca-certificates/", "/certs/")


def secret_file_kind(path: str) -> str | None:
    """Why `path` (a file name, path or glob) names a secret file, or None."""
    normalized = path.strip().strip("'\"").rstrip("/").replace("\\", "/")
    base = posixpath.basename(normalized)
    lowered = base.lower()
    if lowered in SECRET_FILE_NAMES:
        return f"`{base}`"
    if lowered.startswith(".env.") and not lowered.endswith(_ENV_TEMPLATES):
        return f"`{base}`"
    for suffix in SECRET_PATH_SUFFIXES:
        if normalized.endswith(suffix) and (normalized == suffix or normalized.endswith("/" + suffix)):
            return f"`{suffix}`"
    if lowered.endswith((*SECRET_FILE_EXTENSIONS, ".pem")) and not _says_public(lowered.rsplit(".", 1)[0]):
        return f"key file `{base}`"
    return None


def _says_public(stem: str) -> bool:
    """Whether a key file's name says it is public (`ca.pem`, `yarn-pubkey.gpg.key`); `priv` overrides."""
    if "priv" in stem:
        return False
    words = set(re.split(r"[^a-z0-9]+", stem))
    return bool(words & _PUBLIC_WORDS) or "pubkey" in stem or "public" in stem


def is_public_key_destination(path: str) -> bool:
    """Whether copying a key to `path` installs a public key (`/usr/share/keyrings/x.asc`, `x.pub`)."""
    lowered = path.strip().strip("'\"").lower()
    return lowered.endswith(_PUBLIC_KEY_EXTENSIONS) or any(part in lowered for part in _PUBLIC_KEY_DIRS)
