from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, fixed


def test_no_or_other_platform():
    catches_not("DL3065", "FROM alpine:3.20\n")
    catches_not("DL3065", "FROM --platform=$FOOBAR alpine:3.20\n")
    catches_not("DL3065", "FROM --platform=foobar alpine:3.20\n")
    catches_not("DL3065", "FROM --platform=linux/arm64 alpine:3.20\n")
    catches_not("DL3065", "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n")


def test_target_platform():
    catches("DL3065", "FROM --platform=$TARGETPLATFORM alpine:3.20\n")
    catches("DL3065", "FROM --platform=${TARGETPLATFORM} alpine:3.20\n")


def test_fix_removes_flag():
    assert fixed("DL3065", "FROM --platform=$TARGETPLATFORM alpine:3.20 AS base\n") == "FROM alpine:3.20 AS base\n"


def test_fix_keeps_continuation_layout():
    before = "FROM --platform=${TARGETPLATFORM} \\\n    alpine:3.20\nRUN true\n"
    assert fixed("DL3065", before) == "FROM \\\n    alpine:3.20\nRUN true\n"


def test_fix_unsafe_with_global_default():
    dockerfile = "ARG TARGETPLATFORM=linux/amd64\nFROM --platform=$TARGETPLATFORM alpine:3.20\n"
    (finding,) = catches("DL3065", dockerfile)
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert fixed("DL3065", dockerfile, unsafe=True) == "ARG TARGETPLATFORM=linux/amd64\nFROM alpine:3.20\n"
