import pytest

from tests.rules.helpers import catches, catches_not


@pytest.mark.parametrize(
    "run",
    [
        "apt-get update && apt-get upgrade -y",
        "apt-get -y dist-upgrade",
        "apt full-upgrade -y",
        "apk upgrade --no-cache",
        "yum update -y",
        "yum -y upgrade",
        "dnf distro-sync -y",
        "microdnf update",
        "zypper --non-interactive update",
        "zypper dup",
    ],
)
def test_full_upgrade(run):
    catches("CD1004", f"FROM debian:12\nRUN {run}\n")
    catches("CD1004", f"FROM debian:12\nONBUILD RUN {run}\n")


@pytest.mark.parametrize(
    "run",
    [
        "apt-get update && apt-get install -y curl",
        "apk add --upgrade curl",
        "apk upgrade openssl",
        "yum update -y openssl",
        "dnf upgrade -y curl libcurl",
        "zypper update -y openssl",
        "pip install --upgrade pip",
        "npm update",
    ],
)
def test_not_full_upgrade(run):
    catches_not("CD1004", f"FROM debian:12\nRUN {run}\n")
