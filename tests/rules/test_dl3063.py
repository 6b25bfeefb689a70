from tests.rules.helpers import catches, catches_not, lines


def test_reserved_names():
    catches("DL3063", "FROM foo:bar AS scratch\n")
    catches("DL3063", "FROM foo:bar AS context\n")
    catches("DL3063", "FROM foo:bar as Scratch\n")


def test_other_names():
    catches_not("DL3063", "FROM foo:bar AS foobar\n")
    catches_not("DL3063", "FROM scratch\n")
    catches_not("DL3063", "FROM scratch AS base\n")


def test_reported_on_each_from():
    assert lines("DL3063", "FROM a AS scratch\nFROM b AS ok\nFROM c AS context\n") == [1, 3]
