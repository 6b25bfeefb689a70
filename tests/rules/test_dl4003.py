from tests.rules.helpers import catches_not, lines


def test_many_cmds():
    assert lines("DL4003", "FROM debian\nCMD bash\nRUN foo\nCMD another\n") == [4]
    assert lines("DL4003", "FROM debian\nCMD a\nCMD b\nCMD c\n") == [3, 4]


def test_stages_are_separate():
    catches_not("DL4003", "FROM debian as distro1\nCMD bash\nRUN foo\nFROM debian as distro2\nCMD another\n")
    assert lines(
        "DL4003", "FROM debian as d1\nCMD bash\nRUN foo\nCMD another\nFROM debian as d2\nCMD another\n"
    ) == [4]


def test_single_cmd():
    catches_not("DL4003", "FROM debian\nCMD /bin/true\n")
    catches_not("DL4003", "FROM debian\nONBUILD CMD a\nCMD b\n")
