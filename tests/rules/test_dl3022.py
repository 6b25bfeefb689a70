from tests.rules.helpers import catches, catches_not, lines


def test_missing_alias():
    catches("DL3022", "COPY --from=foo bar .\n")
    catches("DL3022", "FROM debian:12\nCOPY --from=foo bar .\n")
    catches("DL3022", "FROM debian:12\nCOPY --from=sclevine/yj /bin/yj /bin/yj\n")


def test_alias_defined_after():
    catches("DL3022", "FROM scratch\nCOPY --from=build foo .\nFROM node as build\nRUN baz\n")


def test_defined_alias():
    catches_not("DL3022", "FROM scratch as build\nRUN foo\nFROM node\nCOPY --from=build foo .\nRUN baz\n")
    catches_not("DL3022", "FROM scratch AS Build\nFROM node\nCOPY --from=build foo .\n")


def test_external_images():
    catches_not("DL3022", "COPY --from=haskell:latest bar .\n")
    catches_not("DL3022", "FROM debian:12\nCOPY --from=ghcr.io/astral-sh/uv:0.9.10 /uv /bin/uv\n")
    catches_not("DL3022", "FROM debian:12\nCOPY --from=gcr.io/distroless/base@sha256:abc / /\n")


def test_stage_index():
    catches("DL3022", "COPY --from=0 bar .\n")
    catches("DL3022", "FROM scratch\nFROM node\nCOPY --from=2 foo .\n")
    catches_not("DL3022", "FROM scratch as build\nRUN foo\nFROM node\nCOPY --from=0 foo .\n")
    catches_not("DL3022", "FROM scratch\nRUN foo\nFROM node\nCOPY --from=0 foo .\n")


def test_variable_judged_on_its_value():
    catches_not("DL3022", "FROM scratch AS build\nFROM node\nARG STAGE=build\nCOPY --from=${STAGE} foo .\n")
    catches("DL3022", "FROM scratch AS build\nFROM node\nARG STAGE=biuld\nCOPY --from=${STAGE} foo .\n")
    catches("DL3022", "FROM scratch AS build\nFROM node\nCOPY --from=${STAGE} foo .\n")


def test_reported_on_copy_line_and_onbuild_ignored():
    assert lines("DL3022", "FROM scratch\nRUN x\nCOPY --from=nope \\\n  a b\n") == [3]
    catches_not("DL3022", "FROM scratch\nONBUILD COPY --from=nope a b\n")
    catches_not("DL3022", "FROM scratch\nCOPY a b\n")
