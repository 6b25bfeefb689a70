from tests.rules.helpers import catches, catches_not, lines

BASE = "FROM debian:12\n"


def test_several_sources_need_a_folder():
    catches("DL3021", BASE + "COPY foo bar baz\n")
    catches("DL3021", BASE + 'COPY foo bar "baz"\n')
    catches("DL3021", BASE + 'COPY ["foo", "bar", "baz"]\n')
    catches("DL3021", BASE + "COPY --from=build a b $DEST\n")
    assert lines("DL3021", BASE + "COPY a \\\n  b \\\n  /app\n") == [2]


def test_fine_copies():
    catches_not("DL3021", BASE + "COPY foo bar\n")
    catches_not("DL3021", BASE + "COPY foo bar baz/\n")
    catches_not("DL3021", BASE + 'COPY foo bar "baz/"\n')
    catches_not("DL3021", BASE + 'COPY ["foo", "bar", "baz/"]\n')
    catches_not("DL3021", BASE + "COPY --chown=1:1 foo /app\n")
    catches_not("DL3021", BASE + "ONBUILD COPY foo bar baz\n")
