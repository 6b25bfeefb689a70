import pytest

from tests.rules.helpers import catches, catches_not


@pytest.mark.parametrize(
    "run",
    [
        "echo 'root:hunter2' | chpasswd",
        "echo \"$USER:$PASS\" | chpasswd -e",
        "useradd -m -p \"$(openssl passwd -1 pw)\" app",
        "usermod --password x app",
        "echo pw | passwd --stdin root",
        "printf 'pw\\npw\\n' | passwd app",
        "passwd -d root",
    ],
)
def test_password_set(run):
    catches("CD1010", f"FROM debian:12\nRUN {run}\n")
    catches("CD1010", f"FROM debian:12\nONBUILD RUN {run}\n")


@pytest.mark.parametrize(
    "run",
    [
        "useradd -m -u 10001 app",
        "usermod -aG docker app",
        "passwd -l root",
        "adduser -D app",
        "echo chpasswd",
    ],
)
def test_no_password(run):
    catches_not("CD1010", f"FROM debian:12\nRUN {run}\n")
