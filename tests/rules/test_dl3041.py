from tests.rules.helpers import catches, catches_not


def test_unpinned_packages():
    catches("DL3041", "FROM fedora:40\nRUN dnf install -y tomcat && dnf clean all\n")
    catches("DL3041", "FROM fedora:40\nONBUILD RUN dnf install -y tomcat && dnf clean all\n")
    catches("DL3041", "FROM fedora:40\nRUN dnf install -y tomcat-9.2 httpd\n")
    catches("DL3041", "FROM fedora:40\nRUN dnf install -y tomcat-latest\n")


def test_pinned_packages():
    for package in ("tomcat-9.2", "openssl-1:1.1.1k", "rpm-sign-4.16.1.3", "gcc-c++-1.1.1", "tomcat-9.0.39-1.rpm"):
        catches_not("DL3041", f"FROM fedora:40\nRUN dnf install -y {package} && dnf clean all\n")
    catches_not("DL3041", "FROM fedora:40\nRUN bash -c `# not even a dnf command`\n")
    catches_not("DL3041", "FROM fedora:40\nONBUILD RUN dnf install -y tomcat-9.2\n")


def test_modules_need_a_stream():
    catches("DL3041", "FROM fedora:40\nRUN dnf module install -y tomcat && dnf clean all\n")
    catches_not("DL3041", "FROM fedora:40\nRUN dnf module install -y tomcat:9 && dnf clean all\n")


def test_version_from_variable_in_scope():
    catches_not("DL3041", "FROM fedora:42\nENV version=2.51.0-2.fc42\nRUN dnf -y install git-core-${version}\n")
    catches_not("DL3041", "FROM fedora:42\nARG version=2.51.0-2.fc42\nRUN dnf -y install git-core-$version\n")
    catches_not(
        "DL3041",
        "FROM fedora:42 AS build\nENV version=2.51.0-2.fc42\nFROM build\nRUN dnf -y install git-core-${version}\n",
    )


def test_version_from_variable_out_of_scope():
    catches("DL3041", "FROM fedora:42\nRUN dnf -y install git-core-${version}\n")
    catches(
        "DL3041",
        "FROM fedora:42 AS build\nENV version=2.51.0-2.fc42\nFROM fedora:42\nRUN dnf -y install git-core-${version}\n",
    )
    # hadolint accepts this; the ARG belongs to the other stage, so the name ends in a bare dash.
    catches(
        "DL3041",
        "FROM fedora:42 AS build\nARG version=2.51.0-2.fc42\nFROM fedora:42\nRUN dnf -y install git-core-${version}\n",
    )


def test_microdnf_and_groups():
    catches("DL3041", "FROM ubi9-minimal\nRUN microdnf install -y tomcat\n")
    catches_not("DL3041", "FROM ubi9-minimal\nRUN microdnf install -y tomcat-9.2\n")
    catches_not("DL3041", 'FROM fedora:40\nRUN dnf group install -y "Development Tools"\n')
    catches_not("DL3041", "FROM fedora:40\nRUN notdnf install -y tomcat\n")
