from codi.pipeline.edits import Applicability
from codi.pipeline.lint import fix_text
from tests.rules.helpers import catches, catches_not, fixed, lines


def test_install_without_no_install_recommends():
    catches("DL3015", "FROM debian:12\nRUN apt-get install python\n")
    catches("DL3015", "FROM debian:12\nRUN apt-get -y install python\n")
    catches("DL3015", "FROM debian:12\nONBUILD RUN apt-get install python\n")
    catches("DL3015", "FROM debian:12\nRUN apt-get update && apt-get install -y python\n")


def test_recommends_disabled():
    catches_not("DL3015", "FROM debian:12\nRUN apt-get install --no-install-recommends python\n")
    catches_not("DL3015", "FROM debian:12\nONBUILD RUN apt-get install --no-install-recommends python\n")
    catches_not("DL3015", "FROM debian:12\nRUN apt-get -o APT::Install-Recommends=false install python\n")


def test_other_commands_ignored():
    catches_not("DL3015", "FROM debian:12\nRUN apt-get update\n")
    catches_not("DL3015", "FROM debian:12\nRUN apt install python\n")


def test_reported_on_first_line():
    assert lines("DL3015", "FROM debian:12\nRUN apt-get update \\\n && apt-get install -y curl\n") == [2]


def test_fix_inserts_flag_after_install_and_keeps_layout():
    before = """\
        FROM debian:12
        RUN apt-get update \\
         && apt-get -y install \\
              curl
        """
    assert fixed("DL3015", before, unsafe=True) == (
        "FROM debian:12\nRUN apt-get update \\\n && apt-get -y install --no-install-recommends \\\n      curl\n"
    )


def test_fix_covers_every_command_and_onbuild():
    before = (
        "FROM debian:12\n"
        "RUN apt-get install -y a && apt-get install --no-install-recommends b && apt-get install c\n"
    )
    assert fixed("DL3015", before, unsafe=True) == (
        "FROM debian:12\nRUN apt-get install --no-install-recommends -y a"
        " && apt-get install --no-install-recommends b && apt-get install --no-install-recommends c\n"
    )
    assert fixed("DL3015", "FROM debian:12\nONBUILD RUN apt-get install x\n", unsafe=True) == (
        "FROM debian:12\nONBUILD RUN apt-get install --no-install-recommends x\n"
    )


def test_no_fix_for_exec_form():
    found = catches("DL3015", 'FROM debian:12\nRUN ["apt-get", "install", "x"]\n')
    assert found[0].fix is None


def test_fix_is_unsafe_since_later_steps_may_use_recommended_packages():
    """`curl` without its recommended ca-certificates cannot reach https on debian:bookworm-slim."""
    dockerfile = (
        "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y curl\n"
        "RUN curl -fsS https://deb.debian.org/ -o /dev/null\n"
    )
    found = catches("DL3015", dockerfile)
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.UNSAFE
    assert "--no-install-recommends" not in fix_text(dockerfile)
