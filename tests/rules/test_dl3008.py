from tests.rules.helpers import catches, catches_not


def test_unpinned():
    catches("DL3008", "FROM debian:12\nRUN apt-get update && apt-get install python\n")
    catches("DL3008", "FROM debian:12\nONBUILD RUN apt-get update && apt-get install python\n")
    catches("DL3008", "FROM debian:12\nRUN apt-get install -y curl=7.88 wget\n")
    catches("DL3008", "FROM debian:12\nRUN apt-get install -y $PACKAGES\n")


def test_heredoc_scripts_are_checked():
    # hadolint does not look into heredocs.
    catches("DL3008", "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y git\nEOF\n")


def test_pinned_chained():
    dockerfile = """\
        FROM debian:12
        RUN apt-get update \\
         && apt-get -yqq --no-install-recommends install nodejs=0.10 \\
         && rm -rf /var/lib/apt/lists/*
        """
    catches_not("DL3008", dockerfile)


def test_pinned_with_wildcards_and_epochs():
    dockerfile = """\
        FROM debian:12
        RUN apt-get update && apt-get install --no-install-recommends -y \\
        python-demjson=2.2.2* \\
        wget=1.16.1* \\
        git=1:2.5.0* \\
        ruby=1:2.1.*
        """
    catches_not("DL3008", dockerfile)


def test_pinned_forms():
    catches_not("DL3008", "FROM debian:12\nRUN apt-get install -y python=1.2.2\n")
    catches_not("DL3008", "FROM debian:12\nONBUILD RUN apt-get install -y python=1.2.2\n")
    catches_not("DL3008", "FROM debian:12\nRUN apt-get install ./wkhtmltox_0.12.5-1.bionic_amd64.deb\n")
    catches_not("DL3008", "FROM debian:12\nRUN apt-get -y --no-install-recommends install nodejs=0.10\n")
    catches_not("DL3008", "FROM debian:12\nRUN apt-get install -y curl/bookworm-backports\n")
    catches_not("DL3008", "FROM debian:12\nRUN apt-get install -y -o Dpkg::Options::=--force-confold x=1\n")


def test_target_release_value_is_not_a_package():
    dockerfile = """\
        FROM debian:12
        RUN apt-get update &&\\
         apt-get install -y --no-install-recommends -t jessie-backports openjdk-8-jdk=8u131-b11-1~bpo8+1 &&\\
         rm -rf /var/lib/apt/lists/*
        """
    catches_not("DL3008", dockerfile)
    catches_not("DL3008", "FROM debian:12\nRUN apt-get install -y --target-release bookworm-backports x=1\n")


def test_other_apt_commands_are_not_judged():
    catches_not("DL3008", "FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n")
    catches_not("DL3008", "FROM debian:12\nRUN apt-get remove -y curl\n")
