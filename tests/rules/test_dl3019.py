from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, fixed, lines

ALPINE = "FROM alpine:3.19\n"


def test_missing_no_cache():
    catches("DL3019", ALPINE + "RUN apk add flex=2.6.4-r1\n")
    catches("DL3019", ALPINE + "ONBUILD RUN apk add flex=2.6.4-r1\n")
    catches("DL3019", ALPINE + "RUN --mount=type=cache,target=/var/cache/foo apk add -U curl=7.77.0\n")
    catches("DL3019", ALPINE + "RUN --mount=type=tmpfs,target=/var/cache/foo apk add -U curl=7.77.0\n")
    catches("DL3019", ALPINE + "RUN --mount=type=bind,target=/var/cache/apk apk add curl=7.77.0\n")


def test_no_cache_or_cache_mount():
    catches_not("DL3019", ALPINE + "RUN apk add --no-cache flex=2.6.4-r1\n")
    catches_not("DL3019", ALPINE + "ONBUILD RUN apk add --no-cache flex=2.6.4-r1\n")
    catches_not("DL3019", ALPINE + "RUN --mount=type=cache,target=/var/cache/apk apk add -U curl=7.77.0\n")
    catches_not("DL3019", ALPINE + "RUN --mount=type=tmpfs,target=/var/cache/apk apk add -U curl=7.77.0\n")
    catches_not("DL3019", ALPINE + "RUN --mount=type=cache,target=/var/cache/foo apk add --no-cache -U curl=7.77.0\n")
    catches_not("DL3019", ALPINE + "RUN apk del curl\n")


def test_reported_on_first_line():
    assert lines("DL3019", ALPINE + "RUN set -e \\\n && apk add curl\n") == [2]


def test_fix_inserts_after_add_and_keeps_layout():
    before = ALPINE + "RUN apk add \\\n      curl=1 \\\n && apk add git=2\n"
    assert fixed("DL3019", before) == (
        ALPINE + "RUN apk add --no-cache \\\n      curl=1 \\\n && apk add --no-cache git=2\n"
    )


def test_fix_replaces_update_word():
    assert fixed("DL3019", ALPINE + "RUN apk add -U curl=1\n") == ALPINE + "RUN apk add --no-cache curl=1\n"
    assert fixed("DL3019", ALPINE + "RUN apk --update add curl=1 && rm -rf /var/cache/apk/*\n") == (
        ALPINE + "RUN apk --no-cache add curl=1 && rm -rf /var/cache/apk/*\n"
    )
    assert fixed("DL3019", ALPINE + "RUN apk add -qU curl=1\n") == ALPINE + "RUN apk add --no-cache -qU curl=1\n"


def test_fix_with_onbuild():
    assert fixed("DL3019", ALPINE + "ONBUILD RUN apk add curl\n") == ALPINE + "ONBUILD RUN apk add --no-cache curl\n"


def _unsafe(dockerfile: str, reader_line: int) -> None:
    found = catches("DL3019", dockerfile)
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.UNSAFE
    assert f"line {reader_line} may still need the apk index" in found[0].fix.description


def test_fix_is_unsafe_when_the_updated_index_is_read_later():
    _unsafe(ALPINE + "RUN apk add -U curl=1\nRUN apk upgrade\n", 3)
    _unsafe(ALPINE + "RUN apk add -U curl=1 && apk info -a curl\n", 2)
    _unsafe(ALPINE + "RUN apk add -U curl=1 && apk info -a curl && apk add git=1\n", 2)
    _unsafe(ALPINE + "RUN apk add -U curl=1\nRUN ./install-more.sh\n", 3)
    _unsafe("FROM alpine:3.20 AS base\nRUN apk add -U curl=1\nFROM base\nRUN apk fix\n", 4)


def test_a_later_refresh_or_an_unrelated_stage_keeps_the_fix_safe():
    for later in ("RUN apk update && apk upgrade\n", "FROM alpine:3.20\nRUN apk upgrade\n"):
        found = catches("DL3019", ALPINE + "RUN apk add -U curl=1\n" + later)
        assert found[0].fix is not None and found[0].fix.applicability is Applicability.SAFE, later


def test_fix_when_other_apk_commands_do_not_read_the_index():
    before = ALPINE + "RUN apk add -U curl=1 && apk add git=2\nRUN apk del curl && apk add --no-cache jq=1\n"
    assert fixed("DL3019", before) == (
        ALPINE
        + "RUN apk add --no-cache curl=1 && apk add --no-cache git=2\n"
        + "RUN apk del curl && apk add --no-cache jq=1\n"
    )


def test_insert_is_offered_even_if_index_is_read_later():
    before = ALPINE + "RUN apk update && apk add curl=1\nRUN apk upgrade\n"
    assert fixed("DL3019", before) == ALPINE + "RUN apk update && apk add --no-cache curl=1\nRUN apk upgrade\n"


def test_no_fix_for_heredoc():
    found = catches("DL3019", ALPINE + "RUN <<EOF\napk add curl\nEOF\n")
    assert found[0].fix is None
