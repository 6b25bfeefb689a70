from tests.rules.helpers import catches, catches_not


def test_unpinned():
    catches("DL3037", "FROM opensuse/leap\nRUN zypper install -y tomcat && zypper clean\n")
    catches("DL3037", "FROM opensuse/leap\nONBUILD RUN zypper in -y tomcat\n")
    catches("DL3037", "FROM opensuse/leap\nRUN zypper install -y tomcat=9.0.39 httpd\n")


def test_pinned():
    constraints = ("tomcat=9.0.39", "tomcat\\>=9.0", "tomcat\\>9.0", "tomcat\\<=9.0", "tomcat\\<9.0")
    for package in (*constraints, "tomcat-9.0.39-1.rpm"):
        catches_not("DL3037", f"FROM opensuse/leap\nRUN zypper install -y {package} && zypper clean\n")
        catches_not("DL3037", f"FROM opensuse/leap\nONBUILD RUN zypper install -y {package} && zypper clean\n")
    catches_not("DL3037", "FROM opensuse/leap\nRUN zypper remove -y tomcat\n")
