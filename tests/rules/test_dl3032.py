from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, fixed


def test_install_without_clean():
    catches("DL3032", "FROM centos:7\nRUN yum install -y mariadb-10.4\n")
    catches("DL3032", "FROM centos:7\nONBUILD RUN yum install -y mariadb-10.4\n")


def test_install_with_clean():
    catches_not("DL3032", "FROM centos:7\nRUN yum install -y mariadb-10.4 && yum clean all\n")
    catches_not("DL3032", "FROM centos:7\nRUN yum install -y mariadb-10.4 && rm -rf /var/cache/yum/*\n")
    catches_not("DL3032", "FROM centos:7\nRUN bash -c `# not even a yum command`\n")
    catches_not("DL3032", "FROM centos:7\nONBUILD RUN yum install -y mariadb-10.4 && yum clean all\n")


def test_clean_must_follow_the_last_install():
    catches("DL3032", "FROM centos:7\nRUN yum clean all && yum install -y mariadb\n")
    catches("DL3032", "FROM centos:7\nRUN yum install -y a && yum clean all && yum install -y b\n")
    catches_not("DL3032", "FROM centos:7\nRUN yum clean all && yum install -y a && yum clean all\n")


def test_fix_appends_after_last_yum_command_keeping_layout():
    before = """\
        FROM centos:7
        RUN yum update -y \\
         && yum install -y \\
              httpd \\
         && make install
        """
    assert fixed("DL3032", before) == (
        "FROM centos:7\nRUN yum update -y \\\n && yum install -y \\\n"
        "      httpd && yum clean all \\\n && make install\n"
    )


def test_fix_goes_after_pipes_redirections_and_fallbacks():
    assert fixed("DL3032", "FROM centos:7\nRUN yum install -y httpd | tee log\n") == (
        "FROM centos:7\nRUN yum install -y httpd | tee log && yum clean all\n"
    )
    assert fixed("DL3032", "FROM centos:7\nRUN yum install -y httpd > /dev/null; echo done\n") == (
        "FROM centos:7\nRUN yum install -y httpd > /dev/null && yum clean all; echo done\n"
    )
    assert fixed("DL3032", "FROM centos:7\nRUN yum install -y httpd || true && echo done\n") == (
        "FROM centos:7\nRUN yum install -y httpd || true && yum clean all && echo done\n"
    )


def test_fix_after_clean_before_install():
    assert fixed("DL3032", "FROM centos:7\nRUN yum clean all && yum install -y httpd\n") == (
        "FROM centos:7\nRUN yum clean all && yum install -y httpd && yum clean all\n"
    )


def test_no_fix_for_exec_form_or_heredoc():
    for text in (
        'FROM centos:7\nRUN ["yum", "install", "-y", "httpd"]\n',
        "FROM centos:7\nRUN <<EOF\nyum install -y httpd\nEOF\n",
        "FROM centos:7\nRUN echo $(yum install -y httpd)\n",
    ):
        assert [f.fix for f in catches("DL3032", text)] == [None]


def test_fix_is_unsafe_when_a_later_step_needs_the_cache():
    first = "FROM centos:7\nRUN yum install -y httpd-2.4.6\n"
    for later, line in (("RUN yum -C install -y mod_ssl-2.4.6\n", 3), ("RUN rpm -i /var/cache/yum/x86_64/7/base/packages/*.rpm\n", 3)):
        found = catches("DL3032", first + later)
        fix = found[0].fix
        assert fix is not None and fix.applicability is Applicability.UNSAFE, later
        assert f"line {line} may still need the yum cache" in fix.description
    # A later install fetches the metadata again.
    found = catches("DL3032", first + "RUN yum install -y mod_ssl-2.4.6 && yum clean all\n")
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.SAFE
