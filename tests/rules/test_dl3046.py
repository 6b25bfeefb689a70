from tests.rules.helpers import catches, catches_not


def test_high_uid_without_l():
    catches("DL3046", "FROM debian:12\nRUN useradd -u 123456 luser\n")
    catches("DL3046", "FROM debian:12\nONBUILD RUN useradd -u 123456 luser\n")
    catches("DL3046", "FROM debian:12\nARG UID=123456\nRUN useradd -u ${UID} luser\n")


def test_short_uid_or_l_flag():
    catches_not("DL3046", "FROM debian:12\nRUN useradd luser\n")
    catches_not("DL3046", "FROM debian:12\nRUN useradd -u 12345 luser\n")
    catches_not("DL3046", "FROM debian:12\nRUN useradd -l -u 123456 luser\n")
    catches_not("DL3046", "FROM debian:12\nRUN useradd --no-log-init -u 123456 luser\n")
    catches_not("DL3046", "FROM debian:12\nRUN useradd -l luser\n")


def test_uid_variable_judged_on_its_value():
    catches_not("DL3046", 'FROM debian:12\nARG UID="1000"\nRUN useradd -u $UID -ms /bin/bash ducker\n')
    catches_not("DL3046", "ARG UID=1000\nFROM debian:12\nARG UID\nRUN useradd -u ${UID} luser\n")
    catches_not("DL3046", "FROM debian:12\nRUN useradd -u ${UNKNOWN_UID} luser\n")
