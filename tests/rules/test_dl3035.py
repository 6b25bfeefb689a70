from tests.rules.helpers import catches, catches_not


def test_dist_upgrade():
    catches("DL3035", "FROM opensuse/leap\nRUN zypper dist-upgrade\n")
    catches("DL3035", "FROM opensuse/leap\nRUN zypper -n dup\n")
    catches("DL3035", "FROM opensuse/leap\nONBUILD RUN zypper dist-upgrade\n")


def test_other_zypper_commands():
    catches_not("DL3035", "FROM opensuse/leap\nRUN zypper -n update\n")
    catches_not("DL3035", "FROM opensuse/leap\nRUN zypper -n install httpd=2.4\n")
    catches_not("DL3035", "FROM fedora\nRUN dnf dup\n")
