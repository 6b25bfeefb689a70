from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, fixed


def test_install_without_clean():
    catches("DL3036", "FROM opensuse/leap\nRUN zypper install -y mariadb=10.4\n")
    catches("DL3036", "FROM opensuse/leap\nONBUILD RUN zypper in -y mariadb=10.4\n")
    catches("DL3036", "FROM opensuse/leap\nRUN zypper clean && zypper install -y mariadb=10.4\n")


def test_install_with_clean():
    catches_not("DL3036", "FROM opensuse/leap\nRUN zypper install -y mariadb=10.4 && zypper clean\n")
    catches_not("DL3036", "FROM opensuse/leap\nRUN zypper install -y mariadb=10.4 && zypper cc\n")
    catches_not("DL3036", "FROM opensuse/leap\nONBUILD RUN zypper install -y mariadb=10.4 && zypper clean\n")
    catches_not("DL3036", "FROM opensuse/leap\nRUN zypper refresh\n")


def test_cache_or_tmpfs_mount():
    for kind in ("cache", "tmpfs"):
        mount = f"--mount=type={kind},target=/var/cache/zypp"
        catches_not("DL3036", f"FROM opensuse/leap\nRUN {mount} zypper install -y m\n")
    catches("DL3036", "FROM opensuse/leap\nRUN --mount=type=bind,target=/var/cache/zypp zypper install -y m\n")


def test_fix_appends_after_last_zypper_command():
    before = "FROM opensuse/leap\nRUN zypper -n in httpd \\\n && zypper -n rm vim \\\n && make\n"
    assert fixed("DL3036", before) == (
        "FROM opensuse/leap\nRUN zypper -n in httpd \\\n && zypper -n rm vim && zypper clean \\\n && make\n"
    )


def test_zypper_patch_needs_a_clean_too():
    catches("DL3036", "FROM opensuse/leap\nRUN zypper -n patch\n")
    catches_not("DL3036", "FROM opensuse/leap\nRUN zypper -n patch && zypper clean\n")
    assert fixed("DL3036", "FROM opensuse/leap\nRUN zypper -n patch\n") == (
        "FROM opensuse/leap\nRUN zypper -n patch && zypper clean\n"
    )


def test_fix_is_unsafe_when_a_later_step_reads_the_cache():
    dockerfile = (
        "FROM opensuse/leap\nRUN zypper -n install --download-only httpd=2.4.51\n"
        "RUN rpm -i /var/cache/zypp/packages/*/*/*.rpm\n"
    )
    fix = catches("DL3036", dockerfile)[0].fix
    assert fix is not None and fix.applicability is Applicability.UNSAFE
    assert "line 3 may still need the zypper cache" in fix.description
