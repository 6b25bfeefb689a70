from tests.rules.helpers import catches, catches_not, lines


def test_forbidden_triggers():
    catches("DL3043", "FROM debian:12\nONBUILD ONBUILD RUN anything\n")
    catches("DL3043", "FROM debian:12\nONBUILD FROM debian:buster\n")
    catches("DL3043", 'FROM debian:12\nONBUILD MAINTAINER "BoJack Horseman"\n')
    assert lines("DL3043", "FROM debian:12\nRUN true\nONBUILD FROM debian:buster\n") == [3]


def test_allowed_triggers_and_plain_instructions():
    for trigger in ("ADD a b", "USER x", 'LABEL bla="blubb"', "COPY a b", "RUN anything", "WORKDIR /x", "EXPOSE 69"):
        catches_not("DL3043", f"FROM debian:12\nONBUILD {trigger}\n")
    catches_not("DL3043", "FROM debian:buster\n")
    catches_not("DL3043", 'FROM debian:12\nMAINTAINER "Some Guy"\n')
