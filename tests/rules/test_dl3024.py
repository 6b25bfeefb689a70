from tests.rules.helpers import catches, catches_not, lines


def test_duplicate_aliases():
    catches("DL3024", "FROM node as foo\nRUN something\nFROM scratch as foo\nRUN something\n")
    assert lines("DL3024", "FROM a AS x\nFROM b AS y\nFROM c AS x\nFROM d AS X\n") == [3, 4]


def test_unique_aliases():
    catches_not("DL3024", "FROM scratch as build\nRUN foo\nFROM node as run\nRUN baz\n")
    catches_not("DL3024", "FROM scratch\nFROM scratch\n")
