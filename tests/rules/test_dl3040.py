from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, fixed


def test_install_without_clean():
    for subcommand in ("install", "in", "upgrade", "up", "upgrade-minimal", "up-min", "reinstall", "rei"):
        catches("DL3040", f"FROM fedora\nRUN dnf -y {subcommand} mariadb-10.4\n")
        catches_not("DL3040", f"FROM fedora\nRUN dnf -y {subcommand} mariadb-10.4 && dnf clean all\n")
    catches("DL3040", "FROM ubi9-minimal\nRUN microdnf install -y mariadb-10.4\n")
    catches("DL3040", "FROM fedora\nONBUILD RUN dnf install -y mariadb-10.4\n")


def test_each_tool_cleans_its_own_cache():
    catches("DL3040", "FROM fedora\nRUN dnf install -y mariadb-10.4 && microdnf clean all\n")
    catches_not("DL3040", "FROM ubi9-minimal\nRUN microdnf install -y mariadb-10.4 && microdnf clean all\n")
    catches_not("DL3040", "FROM fedora\nRUN notdnf install mariadb\n")


def test_rm_rf_counts_as_clean_after_install_only():
    catches_not("DL3040", "FROM fedora\nRUN dnf install -y mariadb-10.4 && rm -rf /var/cache/yum/*\n")
    catches("DL3040", "FROM fedora\nRUN rm -rf /var/cache/libdnf5 && dnf install -y mariadb-10.4\n")
    catches("DL3040", "FROM fedora\nRUN microdnf clean all && dnf install -y mariadb-10.4\n")


def test_cache_or_tmpfs_mount():
    for kind in ("cache", "tmpfs"):
        catches_not("DL3040", f"FROM fedora\nRUN --mount=type={kind},target=/var/cache/libdnf5 dnf install -y m\n")
        catches_not("DL3040", f"FROM fedora\nRUN --mount=type={kind},target=/root/.cache/libdnf5 dnf install -y m\n")


def test_fix_uses_the_tool_that_installed():
    assert fixed("DL3040", "FROM ubi9-minimal\nRUN microdnf install -y m && echo ok\n") == (
        "FROM ubi9-minimal\nRUN microdnf install -y m && microdnf clean all && echo ok\n"
    )
    assert fixed("DL3040", "FROM fedora\nRUN dnf install -y a && microdnf install -y b\n") == (
        "FROM fedora\nRUN dnf install -y a && dnf clean all && microdnf install -y b && microdnf clean all\n"
    )


def test_fix_keeps_layout():
    before = "FROM fedora\nRUN dnf install -y \\\n      httpd \\\n && make\n"
    assert fixed("DL3040", before) == "FROM fedora\nRUN dnf install -y \\\n      httpd && dnf clean all \\\n && make\n"


def test_fix_is_unsafe_when_a_later_step_runs_from_the_cache():
    dockerfile = "FROM fedora:40 AS base\nRUN dnf install -y httpd-2.4.24\nFROM base\nRUN dnf --cacheonly install -y mod_ssl-2.4.24\n"
    fix = catches("DL3040", dockerfile)[0].fix
    assert fix is not None and fix.applicability is Applicability.UNSAFE
    assert "line 4 may still need the dnf cache" in fix.description
    safe = catches("DL3040", "FROM fedora:40\nRUN dnf install -y httpd-2.4.24\nRUN dnf install -y git-2.45.0\n")
    assert safe[0].fix is not None and safe[0].fix.applicability is Applicability.SAFE
