import pytest

from tests.rules.helpers import catches, catches_not


@pytest.mark.parametrize(
    "run",
    [
        "apt-get update",
        "apt update",
        "apt-get -y update && apt-get clean",
        "apk update",
        "yum makecache",
        "yum update -y",
        "dnf -y update",
        "zypper refresh",
        "apt-get install -y curl && apt-get update",
        "apt-get update && apk add curl",
    ],
)
def test_update_alone(run):
    catches("CD1003", f"FROM debian:12\nRUN {run}\n")
    catches("CD1003", f"FROM debian:12\nONBUILD RUN {run}\n")


@pytest.mark.parametrize(
    "run",
    [
        "apt-get update && apt-get install -y curl",
        "apt-get update && apt install -y curl",
        "apt-get update && apt-get upgrade -y",
        "apk update && apk add curl",
        "apk add --update curl",
        "apk --update add curl",
        "yum update -y && yum install -y curl",
        "dnf makecache && dnf -y install curl",
        "zypper ref && zypper in -y curl",
        "apt-get install -y update-notifier",
        "echo update",
        "yum update -y openssl",
    ],
)
def test_update_with_install(run):
    catches_not("CD1003", f"FROM debian:12\nRUN {run}\n")


def test_heredoc_script():
    catches("CD1003", "FROM debian:12\nRUN <<EOF\napt-get update\nEOF\n")
    catches_not("CD1003", "FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n")
