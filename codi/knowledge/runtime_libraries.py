"""The run-time library of a build-only `-dev` header package, per distribution.

A multi-stage candidate installs compilers and headers in its builder only;
what the built extension links against at run time must still be in the
runtime (`psycopg2` built against `libpq-dev` needs `libpq5`). Names are
Debian bookworm's and Alpine's (3.18+); a header package not listed here is
kept in the runtime as it is (it depends on its library, so that is correct,
only larger).
"""

from __future__ import annotations

NO_LIBRARY = ""
"""Headers of something every image already has (libc, the kernel, the interpreter itself)."""

DEBIAN_BOOKWORM: dict[str, str] = {
    "libpq-dev": "libpq5",
    "libffi-dev": "libffi8",
    "libssl-dev": "libssl3",
    "zlib1g-dev": "zlib1g",
    "libxml2-dev": "libxml2",
    "libxslt1-dev": "libxslt1.1",
    "libxslt-dev": "libxslt1.1",
    "libjpeg-dev": "libjpeg62-turbo",
    "libjpeg62-turbo-dev": "libjpeg62-turbo",
    "libpng-dev": "libpng16-16",
    "libmariadb-dev": "libmariadb3",
    "libmariadb-dev-compat": "libmariadb3",
    "default-libmysqlclient-dev": "libmariadb3",
    "libsqlite3-dev": "libsqlite3-0",
    "libyaml-dev": "libyaml-0-2",
    "libcurl4-openssl-dev": "libcurl4",
    "libgmp-dev": "libgmp10",
    "libreadline-dev": "libreadline8",
    "libbz2-dev": "libbz2-1.0",
    "liblzma-dev": "liblzma5",
    "libmagic-dev": "libmagic1",
    "libpcre3-dev": "libpcre3",
    "libsasl2-dev": "libsasl2-2",
    "libldap2-dev": "libldap-2.5-0",
    "libev-dev": "libev4",
    "libuv1-dev": "libuv1",
    "libc6-dev": NO_LIBRARY,
    "libc-dev": NO_LIBRARY,
    "linux-libc-dev": NO_LIBRARY,
    "python3-dev": NO_LIBRARY,
    "python-dev": NO_LIBRARY,
    "python-dev-is-python3": NO_LIBRARY,
}
ALPINE: dict[str, str] = {
    "postgresql-dev": "libpq",
    "libpq-dev": "libpq",
    "libffi-dev": "libffi",
    "openssl-dev": "libssl3",
    "zlib-dev": "zlib",
    "libxml2-dev": "libxml2",
    "libxslt-dev": "libxslt",
    "jpeg-dev": "libjpeg-turbo",
    "libjpeg-turbo-dev": "libjpeg-turbo",
    "libpng-dev": "libpng",
    "mariadb-dev": "mariadb-connector-c",
    "mariadb-connector-c-dev": "mariadb-connector-c",
    "sqlite-dev": "sqlite-libs",
    "yaml-dev": "yaml",
    "curl-dev": "libcurl",
    "gmp-dev": "gmp",
    "musl-dev": NO_LIBRARY,
    "linux-headers": NO_LIBRARY,
    "libc-dev": NO_LIBRARY,
    "python3-dev": NO_LIBRARY,
}


TABLES: dict[str, dict[str, str]] = {"bookworm": DEBIAN_BOOKWORM, "alpine": ALPINE}
"""Distribution (Debian suite, or `alpine`) → header package → run-time library."""


def runtime_library(package: str, distribution: str) -> str | None:
    """The library a runtime on `distribution` needs for header package `package` (`NO_LIBRARY` for none);
    None when it is not known."""
    return TABLES.get(distribution, {}).get(package.lower())
