from tests.rules.helpers import catches, catches_not, lines


def test_fixed_platform():
    catches("DL3029", "FROM --platform=linux debian:jessie\n")
    catches("DL3029", "FROM --platform=linux/amd64 debian:12 AS build\n")
    catches("DL3029", "FROM --platform=$TARGETOS/$TARGETARCH debian:12\n")
    assert lines("DL3029", "FROM debian:12\nFROM --platform=linux/arm64 \\\n  alpine:3.19\n") == [2]


def test_no_platform_or_build_arguments():
    catches_not("DL3029", "FROM debian:jessie\n")
    for value in ("$BUILDPLATFORM", '"$BUILDPLATFORM"', "${BUILDPLATFORM}", "${BUILDPLATFORM:-}",
                  '"${BUILDPLATFORM:-}"', "$TARGETPLATFORM"):
        catches_not("DL3029", f"FROM --platform={value} debian:jessie\n")
