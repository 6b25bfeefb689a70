from tests.rules.helpers import catches, catches_not, lines


def test_pointless_commands():
    catches("DL3001", "FROM debian:12\nRUN top\n")
    catches("DL3001", "FROM debian:12\nONBUILD RUN top\n")
    assert lines("DL3001", "FROM debian:12\nRUN apt-get update && \\\n  service nginx start\n") == [2]
    for name in ("free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim"):
        catches("DL3001", f"FROM debian:12\nRUN {name} x\n")


def test_installing_or_mentioning_them_is_fine():
    catches_not("DL3001", "FROM debian:12\nRUN apt-get install ssh\n")
    catches_not("DL3001", "FROM debian:12\nONBUILD RUN apt-get install ssh vim\n")
    catches_not("DL3001", "FROM debian:12\nRUN echo ps\n")
