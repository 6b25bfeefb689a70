from tests.rules.helpers import catches, catches_not, lines


def test_copy_from_own_stage():
    catches("DL3023", "FROM node as foo\nCOPY --from=foo bar .\n")
    catches("DL3023", "FROM node AS Foo\nCOPY --from=foo bar .\n")
    catches("DL3023", "FROM node AS foo\nARG SELF=foo\nCOPY --from=$SELF bar .\n")
    assert lines("DL3023", "FROM scratch AS a\nFROM node AS b\nRUN x\nCOPY --from=b \\\n  y .\n") == [4]


def test_copy_from_other_sources():
    catches_not("DL3023", "FROM scratch as build\nRUN foo\nFROM node as run\nCOPY --from=build foo .\nRUN baz\n")
    catches_not("DL3023", "FROM node\nCOPY --from=foo bar .\n")
    catches_not("DL3023", "COPY --from=foo bar .\n")
    catches_not("DL3023", "FROM node AS foo\nCOPY bar .\n")
    catches_not("DL3023", "FROM node AS foo\nONBUILD COPY --from=foo bar .\n")
