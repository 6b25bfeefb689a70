import pytest

from tests.rules.helpers import catches, catches_not


@pytest.mark.parametrize("ports", ["22", "22/tcp", "22/udp", "80 22", "20-25", "20-25/tcp", "$SSH"])
def test_ssh_exposed(ports):
    catches("CD1002", f"FROM debian:12\nARG SSH=22\nEXPOSE {ports}\n")


@pytest.mark.parametrize("ports", ["2222", "8022", "80 443", "23-25", "$PORT", "220/tcp"])
def test_other_ports(ports):
    catches_not("CD1002", f"FROM debian:12\nEXPOSE {ports}\n")


def test_onbuild():
    catches("CD1002", "FROM debian:12\nONBUILD EXPOSE 22\n")
