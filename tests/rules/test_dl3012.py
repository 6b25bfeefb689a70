from tests.rules.helpers import catches_not, lines


def test_multiple_healthchecks_in_one_stage():
    dockerfile = "FROM scratch\nHEALTHCHECK CMD /bin/bla1\nHEALTHCHECK CMD /bin/bla2\nHEALTHCHECK NONE\n"
    assert lines("DL3012", dockerfile) == [3, 4]


def test_one_per_stage_is_fine():
    catches_not("DL3012", "FROM scratch\n")
    catches_not("DL3012", "FROM scratch\nHEALTHCHECK CMD /bin/bla\n")
    catches_not("DL3012", "FROM scratch\nHEALTHCHECK CMD /bin/bla1\nFROM scratch\nHEALTHCHECK CMD /bin/bla2\n")
    catches_not("DL3012", "FROM scratch\nONBUILD HEALTHCHECK CMD /bin/a\nHEALTHCHECK CMD /bin/b\n")
