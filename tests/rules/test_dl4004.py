from tests.rules.helpers import catches_not, lines


def test_many_entrypoints():
    assert lines("DL4004", "FROM debian\nENTRYPOINT bash\nRUN foo\nENTRYPOINT another\n") == [4]


def test_stages_are_separate():
    catches_not("DL4004", "FROM debian as d1\nENTRYPOINT bash\nRUN foo\nFROM debian as d2\nENTRYPOINT another\n")
    assert lines(
        "DL4004", "FROM debian as d1\nENTRYPOINT a\nENTRYPOINT b\nFROM debian as d2\nENTRYPOINT c\n"
    ) == [3]


def test_single_or_none():
    catches_not("DL4004", "FROM busybox\n")
    catches_not("DL4004", "FROM debian\nENTRYPOINT /bin/true\n")
