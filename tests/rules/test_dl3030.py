from tests.rules.helpers import catches, catches_not, fixed, lines

BASE = "FROM centos:7\n"


def test_missing_yes():
    catches("DL3030", BASE + "RUN yum install httpd-2.4.24 && yum clean all\n")
    catches("DL3030", BASE + "ONBUILD RUN yum install httpd-2.4.24 && yum clean all\n")
    catches("DL3030", BASE + "RUN yum groupinstall 'Development Tools'\n")
    catches("DL3030", BASE + "RUN yum localinstall /tmp/x.rpm\n")
    assert lines("DL3030", BASE + "RUN set -e \\\n && yum install x\n") == [2]


def test_yes_given_or_no_install():
    catches_not("DL3030", BASE + "RUN yum install -y httpd-2.4.24 && yum clean all\n")
    catches_not("DL3030", BASE + "ONBUILD RUN yum install -y httpd-2.4.24 && yum clean all\n")
    catches_not("DL3030", BASE + "RUN yum --assumeyes install httpd\n")
    catches_not("DL3030", BASE + "RUN yum -qy install httpd\n")
    catches_not("DL3030", BASE + "RUN bash -c `# not even a yum command`\n")
    catches_not("DL3030", BASE + "RUN yum update\n")


def test_fix_inserts_yes_after_subcommand():
    before = BASE + "RUN yum install \\\n      httpd \\\n && yum -q groupinstall dev && yum clean all\n"
    assert fixed("DL3030", before) == (
        BASE + "RUN yum install -y \\\n      httpd \\\n && yum -q groupinstall -y dev && yum clean all\n"
    )
    assert fixed("DL3030", BASE + "ONBUILD RUN yum install x\n") == BASE + "ONBUILD RUN yum install -y x\n"
