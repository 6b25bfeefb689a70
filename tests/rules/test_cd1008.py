import pytest

from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, fixed


@pytest.mark.parametrize(
    ("instruction", "what"),
    [
        ("RUN curl -k https://x.io/a", "`curl --insecure`"),
        ("RUN curl -fsSLk https://x.io/a | sh", "`curl --insecure`"),
        ("RUN curl --insecure -o a https://x.io/a", "`curl --insecure`"),
        ("RUN wget --no-check-certificate https://x.io/a", "`wget --no-check-certificate`"),
        ("RUN pip install --trusted-host pypi.org flask", "`pip --trusted-host`"),
        ("RUN python3 -m pip install --trusted-host=pypi.org flask", "`pip --trusted-host`"),
        ("RUN pip config set global.trusted-host pypi.org", "`pip --trusted-host`"),
        ("RUN npm config set strict-ssl false", "`npm strict-ssl false`"),
        ("RUN yarn config set strict-ssl false", "`yarn strict-ssl false`"),
        ("RUN npm install --strict-ssl=false", "`npm strict-ssl false`"),
        ("RUN git -c http.sslVerify=false clone https://x.io/r", "`git http.sslVerify false`"),
        ("RUN git config --global http.sslverify false", "`git http.sslVerify false`"),
        ("RUN yum install -y --setopt=sslverify=0 curl", "`sslverify=0`"),
        ("RUN echo 'sslverify=false' >> /etc/yum.conf", "`sslverify=0`"),
        ("RUN dnf config-manager --setopt=epel.sslverify=0 --save", "`sslverify=0`"),
        ("RUN /usr/bin/microdnf --setopt=sslverify=false install curl", "`sslverify=0`"),
        ("RUN yum-config-manager --save --setopt=sslverify=0", "`sslverify=0`"),
        ("RUN zypper ar 'https://x.io/repo/?ssl_verify=no' x", "`sslverify=0`"),
        ("RUN sed -i 's/sslverify=1/sslverify=0/' /etc/yum.repos.d/epel.repo", "`sslverify=0`"),
        ("RUN echo sslverify=0 | tee -a /etc/dnf/dnf.conf", "`sslverify=0`"),
        ("RUN printf '[x]\\nsslverify=0\\n' > /etc/zypp/repos.d/x.repo", "`sslverify=0`"),
        ("RUN { echo '[x]'; echo 'sslverify=0'; } > my.repo && mv my.repo /etc/yum.repos.d/", "`sslverify=0`"),
        ("RUN apt-get -o Acquire::https::Verify-Peer=false update", "`Acquire::https::Verify-Peer false`"),
        ("RUN NODE_TLS_REJECT_UNAUTHORIZED=0 npm ci", "`NODE_TLS_REJECT_UNAUTHORIZED`"),
        ("RUN export GIT_SSL_NO_VERIFY=1 && git clone https://x.io/r", "`GIT_SSL_NO_VERIFY`"),
        ("RUN PYTHONHTTPSVERIFY=0 && env GOINSECURE=x.io go get x.io/m", "`PYTHONHTTPSVERIFY`"),
        ("RUN env GOINSECURE=x.io go get x.io/m", "`GOINSECURE`"),
        ("ENV NODE_TLS_REJECT_UNAUTHORIZED=0", "`NODE_TLS_REJECT_UNAUTHORIZED`"),
        ("ENV NODE_TLS_REJECT_UNAUTHORIZED '0'", "`NODE_TLS_REJECT_UNAUTHORIZED`"),
        ("ENV PYTHONHTTPSVERIFY=0", "`PYTHONHTTPSVERIFY`"),
        ("ENV npm_config_strict_ssl=false", "`npm_config_strict_ssl`"),
        ("ARG GIT_SSL_NO_VERIFY=true", "`GIT_SSL_NO_VERIFY`"),
        ("ENV PIP_TRUSTED_HOST=pypi.org", "`PIP_TRUSTED_HOST`"),
        ("ENV GOINSECURE=example.com", "`GOINSECURE`"),
    ],
)
def test_verification_off(instruction, what):
    (finding,) = catches("CD1008", f"FROM debian:12\n{instruction}\n")
    assert finding.message == f"TLS certificate verification is disabled: {what}"
    catches("CD1008", f"FROM debian:12\nONBUILD {instruction}\n")


@pytest.mark.parametrize(
    "instruction",
    [
        "RUN curl -fsSL https://x.io/a",
        "RUN curl -K config.txt https://x.io/a",
        "RUN wget -q https://x.io/a",
        "RUN pip install flask",
        "RUN npm config set strict-ssl true",
        "RUN NODE_TLS_REJECT_UNAUTHORIZED=1 npm ci",
        "RUN git config --global http.sslVerify true",
        "RUN yum install -y --setopt=tsflags=nodocs curl",
        "RUN echo -k",
        'RUN echo "sslverify=0" >> README',
        "RUN echo 'sslverify=0' > /tmp/notes.txt && dnf install -y curl",
        "RUN echo sslverify=0 | tee README.md && cat /etc/yum.conf",
        "RUN grep -q sslverify=0 /etc/yum.conf || echo ok",
        "RUN sed 's/sslverify=1/sslverify=0/' /etc/yum.conf > /tmp/yum.conf.example",
        "RUN cp /etc/yum.conf /tmp/x && echo 'sslverify=0 is unsafe' | cat",
        "ENV NODE_TLS_REJECT_UNAUTHORIZED=1",
        "ENV PYTHONHTTPSVERIFY=1",
        "ENV PIP_TRUSTED_HOST=",
        "ARG GOINSECURE",
    ],
)
def test_verification_on(instruction):
    catches_not("CD1008", f"FROM debian:12\n{instruction}\n")


def test_fix_is_unsafe_and_removes_the_option():
    (finding,) = catches("CD1008", "FROM debian:12\nRUN curl -k https://x.io/a\n")
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert fixed("CD1008", "FROM debian:12\nRUN curl -k https://x.io/a\n", unsafe=True) == (
        "FROM debian:12\nRUN curl https://x.io/a\n"
    )
    catches_not("CD1008", fixed("CD1008", "FROM debian:12\nRUN curl -k https://x.io/a\n", unsafe=True))


def test_fix_combined_short_options_and_wget():
    before = "FROM debian:12\nRUN curl -fsSLk https://x.io/a \\\n  && wget --no-check-certificate https://x.io/b\n"
    assert fixed("CD1008", before, unsafe=True) == (
        "FROM debian:12\nRUN curl -fsSL https://x.io/a \\\n  && wget https://x.io/b\n"
    )


def test_fix_keeps_continuation_layout():
    before = "FROM debian:12\nRUN curl \\\n    --insecure \\\n    https://x.io/a\n"
    assert fixed("CD1008", before, unsafe=True) == "FROM debian:12\nRUN curl \\\n     \\\n    https://x.io/a\n"


def test_no_fix_when_something_cannot_be_removed():
    (finding,) = catches("CD1008", "FROM debian:12\nRUN curl -k https://x.io/a && pip install --trusted-host h x\n")
    assert finding.fix is None
