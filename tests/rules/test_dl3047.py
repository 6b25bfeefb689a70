from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, fixed


def test_wget_without_progress():
    catches("DL3047", "FROM node as foo\nRUN wget my.xyz\n")
    catches("DL3047", "FROM node as foo\nONBUILD RUN wget my.xyz\n")


def test_progress_quiet_or_log_file():
    for flags in ("--progress=dot:giga", "-q", "--quiet", "-nv", "--no-verbose", "--output-file=/tmp/wget.log",
                  "-o /tmp/wget.log", "--append-output=/tmp/wget.log", "-a /tmp/wget.log", "-qO-"):
        catches_not("DL3047", f"FROM node as foo\nRUN wget {flags} my.xyz\n")


def test_fix_inserts_progress_after_wget():
    before = "FROM debian:12\nRUN wget \\\n      -O /tmp/x my.xyz && wget my.abc\n"
    assert fixed("DL3047", before) == (
        "FROM debian:12\nRUN wget --progress=dot:giga \\\n      -O /tmp/x my.xyz && wget --progress=dot:giga my.abc\n"
    )


def test_fix_is_unsafe_where_wget_may_be_busybox():
    for base in ("alpine:3.20", "golang:1.22-alpine", "busybox", "${BASE}"):
        [finding] = catches("DL3047", f"FROM {base} AS build\nFROM build\nRUN wget my.xyz\n")
        assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    [finding] = catches("DL3047", "FROM debian:12 AS build\nFROM build\nRUN wget my.xyz\n")
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert fixed("DL3047", "FROM alpine:3.20\nRUN wget my.xyz\n", unsafe=True) == (
        "FROM alpine:3.20\nRUN wget --progress=dot:giga my.xyz\n"
    )
