from tests.rules.helpers import catches, catches_not, fixed


def test_missing_yes():
    catches("DL3038", "FROM fedora\nRUN dnf install httpd-2.4.24 && dnf clean all\n")
    catches("DL3038", "FROM ubi9-minimal\nRUN microdnf install httpd-2.4.24 && microdnf clean all\n")
    catches("DL3038", "FROM fedora\nONBUILD RUN dnf groupinstall Tools\n")
    catches("DL3038", "FROM fedora\nRUN dnf localinstall ./x.rpm\n")


def test_yes_present_or_not_dnf():
    catches_not("DL3038", "FROM fedora\nRUN dnf install -y httpd-2.4.24 && dnf clean all\n")
    catches_not("DL3038", "FROM fedora\nRUN dnf --assumeyes install httpd-2.4.24\n")
    catches_not("DL3038", "FROM ubi9-minimal\nRUN microdnf -y install httpd-2.4.24\n")
    catches_not("DL3038", "FROM fedora\nRUN notdnf install httpd\n")
    catches_not("DL3038", "FROM fedora\nRUN dnf upgrade\n")


def test_fix_inserts_yes_after_install_keeping_layout():
    before = "FROM fedora\nRUN dnf install \\\n      httpd \\\n && microdnf --nodocs install vim\n"
    assert fixed("DL3038", before) == (
        "FROM fedora\nRUN dnf install -y \\\n      httpd \\\n && microdnf --nodocs install -y vim\n"
    )
