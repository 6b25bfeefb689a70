from tests.rules.helpers import catches, catches_not, findings, fixed, lines

BASE = "FROM ubuntu:24.04\n"


def test_apt_is_flagged():
    catches("DL3027", BASE + "RUN apt install python\n")
    catches("DL3027", BASE + "ONBUILD RUN apt install python\n")
    catches("DL3027", BASE + "RUN apt-get update && apt list --installed\n")
    assert lines("DL3027", BASE + "RUN set -e \\\n && apt update\n") == [2]


def test_apt_get_and_apt_cache_are_fine():
    catches_not("DL3027", BASE + "RUN apt-get install -y python && apt-cache policy python\n")
    catches_not("DL3027", BASE + "RUN echo apt\n")


def test_unsafe_fix_renames_the_program():
    text = BASE + "RUN apt update \\\n && apt install -y curl\n"
    assert findings("DL3027", text)[0].fix.applicability.value == "unsafe"
    assert fixed("DL3027", text, unsafe=True) == BASE + "RUN apt-get update \\\n && apt-get install -y curl\n"
    assert fixed("DL3027", BASE + "ONBUILD RUN apt -y remove x\n", unsafe=True) == (
        BASE + "ONBUILD RUN apt-get -y remove x\n"
    )


def test_no_fix_for_apt_only_subcommands():
    assert catches("DL3027", BASE + "RUN apt update && apt full-upgrade -y\n")[0].fix is None
    assert catches("DL3027", BASE + "RUN apt search curl\n")[0].fix is None
