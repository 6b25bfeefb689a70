from tests.rules.helpers import catches, catches_not, fixed


def test_missing_yes():
    catches("DL3014", "FROM debian:12\nRUN apt-get install python\n")
    catches("DL3014", "FROM debian:12\nRUN apt-get update && apt-get install python\n")
    catches("DL3014", "FROM debian:12\nONBUILD RUN apt-get install python\n")


def test_yes_variants():
    for flag in ("-y", "--yes", "--assume-yes", "-qq", "-q -q", "-q=2", "-yq"):
        catches_not("DL3014", f"FROM debian:12\nRUN apt-get install {flag} python\n")


def test_fix_inserts_yes_and_keeps_layout():
    before = """\
        FROM debian:12
        RUN apt-get update \\
         && apt-get install \\
              curl
        """
    assert fixed("DL3014", before) == (
        "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y \\\n      curl\n"
    )


def test_fix_covers_every_command():
    before = "FROM debian:12\nRUN apt-get install a && apt-get install b\n"
    assert fixed("DL3014", before) == "FROM debian:12\nRUN apt-get install -y a && apt-get install -y b\n"
