import pytest

from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, fixed


@pytest.mark.parametrize(
    ("run", "what"),
    [
        ("apk add --allow-untrusted ./tool.apk", "--allow-untrusted"),
        ("apt-get install -y --allow-unauthenticated curl", "--allow-unauthenticated"),
        ("apt-get install -y --force-yes curl", "--force-yes"),
        ("apt-get update --allow-insecure-repositories", "--allow-insecure-repositories"),
        ("yum install -y --nogpgcheck ./x.rpm", "--nogpgcheck"),
        ("dnf --nogpgcheck install -y x", "--nogpgcheck"),
        ("rpm -i --nosignature x.rpm", "--nosignature"),
        ("rpm -Uvh --nodigest x.rpm", "--nodigest"),
        ("zypper --no-gpg-checks install -y x", "--no-gpg-checks"),
        ("yum install -y --setopt=gpgcheck=0 x", "gpgcheck=0"),
        ("echo 'gpgcheck=0' >> /etc/yum.repos.d/x.repo", "gpgcheck=0"),
        ("echo 'deb [trusted=yes] http://x.io/ ./' > /etc/apt/sources.list.d/x.list", "[trusted=yes]"),
        ("apt-get -o APT::Get::AllowUnauthenticated=true install x", "APT::Get::AllowUnauthenticated=true"),
    ],
)
def test_unsigned(run, what):
    (finding,) = catches("CD1009", f"FROM debian:12\nRUN {run}\n")
    assert finding.message == f"Packages are installed without checking their signatures: `{what}`"
    catches("CD1009", f"FROM debian:12\nONBUILD RUN {run}\n")


@pytest.mark.parametrize(
    "run",
    [
        "apk add --no-cache curl",
        "apt-get install -y --no-install-recommends curl",
        "yum install -y curl",
        "echo 'gpgcheck=1' >> /etc/yum.repos.d/x.repo",
        "echo 'deb [signed-by=/k.gpg] http://x.io/ ./' > /etc/apt/sources.list.d/x.list",
        "pip install --allow-untrusted x",
        "rpm --import key.asc",
    ],
)
def test_signed(run):
    catches_not("CD1009", f"FROM debian:12\nRUN {run}\n")


def test_fix_removes_options_unsafely():
    before = "FROM alpine:3.20\nRUN apk add --allow-untrusted ./a.apk \\\n && apk add --allow-untrusted ./b.apk\n"
    (finding,) = catches("CD1009", before)
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert fixed("CD1009", before, unsafe=True) == "FROM alpine:3.20\nRUN apk add ./a.apk \\\n && apk add ./b.apk\n"


def test_no_fix_for_settings():
    (finding,) = catches("CD1009", "FROM fedora:40\nRUN dnf install -y --nogpgcheck --setopt=gpgcheck=0 x\n")
    assert finding.fix is None
