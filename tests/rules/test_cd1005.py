import pytest

from tests.rules.helpers import catches, catches_not


@pytest.mark.parametrize(
    "path",
    ["/usr", "/usr/", "/etc", "/bin", "/usr/bin", "/lib64", "/proc", "/proc/self", "/sys/fs", "/dev", "/boot/efi"]
    + ['"/etc"', "//etc", "/usr/src/../bin"],
)
def test_system_dirs(path):
    catches("CD1005", f"FROM debian:12\nWORKDIR {path}\n")


@pytest.mark.parametrize(
    "path", ["/", "/app", "/usr/src/app", "/var/www/html", "/etc-app", "/device", "/opt/app", "app", "$HOME"]
)
def test_other_dirs(path):
    catches_not("CD1005", f"FROM debian:12\nWORKDIR {path}\n")


def test_variable_default():
    catches("CD1005", "FROM debian:12\nARG DIR=/etc\nWORKDIR $DIR\n")
    catches("CD1005", "FROM debian:12\nONBUILD WORKDIR /usr\n")
