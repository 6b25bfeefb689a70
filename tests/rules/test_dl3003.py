from tests.rules.helpers import catches, catches_not, lines


def test_cd():
    catches("DL3003", "FROM debian:12\nRUN cd /opt\n")
    assert lines("DL3003", "FROM debian:12\nRUN make \\\n && cd /opt && make install\n") == [2]
    catches("DL3003", "FROM debian:12\nRUN (cd /opt && make)\n")


def test_workdir_and_mentions_are_fine():
    catches_not("DL3003", "FROM debian:12\nWORKDIR /opt\n")
    catches_not("DL3003", "FROM debian:12\nRUN echo cd /opt\n")
