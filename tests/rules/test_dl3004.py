from tests.rules.helpers import catches, catches_not


def test_sudo():
    catches("DL3004", "FROM debian:12\nRUN sudo apt-get update\n")
    catches("DL3004", "FROM debian:12\nONBUILD RUN sudo apt-get update\n")
    catches("DL3004", "FROM debian:12\nRUN apt-get update && sudo apt-get install\n")
    catches("DL3004", "FROM debian:12\nONBUILD RUN apt-get update && sudo apt-get install\n")


def test_installing_sudo_is_fine():
    catches_not("DL3004", "FROM debian:12\nRUN apt-get install sudo\n")
    catches_not("DL3004", "FROM debian:12\nONBUILD RUN apt-get install sudo\n")
