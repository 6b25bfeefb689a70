"""The slim strategy: the original's stages kept, slimmer base, one package layer, build tools and caches out."""

from __future__ import annotations

import pytest

from codi.pipeline.optimize import optimizer as optimize_module
from codi.pipeline.optimize.optimizer import SLIM_SUPERSEDED, optimize
from codi.pipeline.optimize.model import Candidate, Change, Estimate, Rejection
from codi.pipeline.optimize.strategies.slim import slim_candidates
from codi.pipeline.lint import lint_text
from codi.pipeline.parser import parse

MULTI_STAGE_PYTHON = """\
FROM python:3.11 AS build
WORKDIR /app
COPY requirements.txt .
RUN pip install --prefix=/install -r requirements.txt

FROM python:3.11
WORKDIR /app
COPY --from=build /install /usr/local
COPY . .
EXPOSE 8000
CMD ["python", "app.py"]
"""

NGINX_LIKE = """\
FROM debian:bookworm
RUN apt-get update
# the web server and a probe
RUN apt-get install -y nginx
RUN apt-get install -y curl
COPY site/ /var/www/html/
EXPOSE 80
CMD ["nginx", "-g", "daemon off;"]
"""


def slim_of(text: str):
    candidates, rejections = slim_candidates(parse(text))
    assert not rejections, rejections
    (candidate,) = candidates
    return candidate


def test_an_already_multi_stage_original_gets_its_final_stage_on_the_slim_variant_and_a_pip_cache() -> None:
    candidate = slim_of(MULTI_STAGE_PYTHON)
    assert candidate.dockerfile.count("FROM ") == 2
    assert "FROM python:3.11 AS build\n" in candidate.dockerfile
    assert "FROM python:3.11-slim\n" in candidate.dockerfile
    assert "RUN --mount=type=cache,target=/root/.cache/pip pip install" in candidate.dockerfile
    assert {change.kind for change in candidate.changes} == {"base-image", "cache-mount", "user", "ownership"}
    assert "COPY --chown=10001:10001 --from=build /install /usr/local\n" not in candidate.dockerfile
    assert "COPY --chown=10001:10001 . .\n" in candidate.dockerfile


def test_the_emitted_slim_candidate_passes_preservation_and_is_listed_after_fixes() -> None:
    result = optimize("Dockerfile", MULTI_STAGE_PYTHON)
    assert [c.strategy for c in result.candidates] == ["fixes", "slim"]
    assert result.candidates[1].estimate.size_bytes_after < result.candidates[0].estimate.size_bytes_before


def test_package_runs_become_one_layer_without_recommends_and_with_the_lists_removed() -> None:
    candidate = slim_of(NGINX_LIKE)
    assert "FROM debian:bookworm-slim\n" in candidate.dockerfile
    assert (
        "# the web server and a probe\n"
        "RUN apt-get update \\\n"
        "    && apt-get install --no-install-recommends -y nginx ca-certificates \\\n"
        "    && apt-get install --no-install-recommends -y curl \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
    ) in candidate.dockerfile
    assert candidate.dockerfile.count("RUN ") == 1
    kinds = [change.kind for change in candidate.changes]
    assert "layers" in kinds and "os-packages" in kinds and "base-image" in kinds


def test_the_lists_stay_when_a_later_run_installs_from_them() -> None:
    text = NGINX_LIKE.replace("COPY site/", "RUN echo hi > /x && apt-get install -y jq\nCOPY site/")
    candidate = slim_of(text)
    assert "rm -rf /var/lib/apt/lists" not in candidate.dockerfile.split("RUN echo")[0]


def test_the_base_stays_full_when_the_stage_compiles_or_runs_what_slim_lacks() -> None:
    single = "FROM python:3.10\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD [\"python\", \"/app/app.py\"]\n"
    candidates, rejections = slim_candidates(parse(single))
    assert candidates == []
    assert "a compiler for `pip`" in rejections[0].reason
    assert "no non-root user: the application has no WORKDIR of its own" in rejections[0].reason
    curl = 'FROM node:18\nCOPY . .\nHEALTHCHECK CMD curl -f http://localhost:3000/\nCMD ["node", "server.js"]\n'
    candidates, rejections = slim_candidates(parse(curl))
    assert candidates == [] and "curl" in rejections[0].reason
    built = "FROM node:18\nRUN apt-get update && apt-get install -y build-essential\nCOPY . .\nRUN npm ci\n"
    assert "FROM node:18-slim" in slim_of(built + 'CMD ["node", "server.js"]\n').dockerfile


def test_a_jdk_final_stage_moves_to_the_jre_unless_it_runs_jdk_tools() -> None:
    jar = 'FROM eclipse-temurin:17-jdk\nCOPY app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n'
    assert "FROM eclipse-temurin:17-jre\n" in slim_of(jar).dockerfile
    maven = "FROM maven:3.9-eclipse-temurin-17\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n"
    candidates, rejections = slim_candidates(parse(maven))
    assert candidates == [] and "mvn" in rejections[0].reason


def test_build_tools_leave_the_final_stage_when_a_builder_compiles() -> None:
    text = """\
FROM golang:1.21 AS build
WORKDIR /src
COPY . .
RUN go build -o /app .

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
CMD ["/app"]
"""
    candidate = slim_of(text)
    assert "apt-get install -y --no-install-recommends ca-certificates &&" in candidate.dockerfile.replace(
        " \\\n    && ", " && "
    )
    assert "gcc" not in candidate.dockerfile.split("FROM debian")[1]
    assert "RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build" in (
        candidate.dockerfile
    )
    assert any(change.kind == "toolchain" and "gcc" in change.description for change in candidate.changes)


def test_apk_installs_get_no_cache_and_alpine_stays_alpine() -> None:
    text = 'FROM alpine:3.19\nRUN apk update\nRUN apk add nginx\nCMD ["nginx", "-g", "daemon off;"]\n'
    candidate = slim_of(text)
    assert "FROM alpine:3.19\n" in candidate.dockerfile
    assert "RUN apk add --no-cache nginx\n" in candidate.dockerfile
    assert "USER" not in candidate.dockerfile, "nginx drops privileges itself"
    assert "apk update" not in candidate.dockerfile


def test_dnf_runs_become_one_layer_without_docs_or_weak_dependencies() -> None:
    text = "FROM fedora:40\nRUN dnf install -y curl\nRUN dnf install -y git && dnf clean all\nCMD [\"curl\", \"-V\"]\n"
    candidate = slim_of(text)
    assert (
        "RUN dnf install --nodocs --setopt=install_weak_deps=0 -y curl \\\n"
        "    && dnf install --nodocs --setopt=install_weak_deps=0 -y git \\\n"
        "    && dnf clean all\n"
    ) in candidate.dockerfile
    assert "FROM fedora:40\n" in candidate.dockerfile, "codi knows no slimmer Fedora"
    assert {change.kind for change in candidate.changes} >= {"layers", "os-packages"}


def test_microdnf_after_set_options_and_yum_get_their_own_spelling() -> None:
    microdnf = "FROM redhat/ubi9-minimal\nRUN set -eux; \\\n    microdnf install -y tar gzip; \\\n    microdnf clean all\n"
    assert (
        "RUN set -eux \\\n    && microdnf install --nodocs --setopt=install_weak_deps=0 -y tar gzip \\\n"
        "    && microdnf clean all\n"
    ) in slim_of(microdnf).dockerfile
    yum = "FROM centos:7\nRUN yum install -y epel-release && yum clean all\n"
    assert "yum install --setopt=tsflags=nodocs -y epel-release" in slim_of(yum).dockerfile
    assert "weak_deps" not in slim_of(yum).dockerfile, "EL7's yum has no weak dependencies"


def test_rpm_options_already_given_are_not_repeated() -> None:
    given = "FROM fedora:40\nRUN dnf -y --setopt=tsflags=nodocs --setopt=install_weak_deps=False install jq && dnf clean all\n"
    candidates, rejections = slim_candidates(parse(given))
    assert candidates == [] and rejections[0].reason.startswith("no slimmer base, layer to merge")
    half = "FROM fedora:40\nRUN dnf -y --setopt=tsflags=nodocs install jq && dnf clean all\n"
    assert "install --setopt=install_weak_deps=0 jq" in slim_of(half).dockerfile


def test_python3_pip_keeps_its_weak_dependencies() -> None:
    text = "FROM fedora:40\nRUN dnf install -y python3-pip && dnf clean all\nRUN pip install flask\n"
    candidate = slim_of(text)
    assert "dnf install --nodocs -y python3-pip" in candidate.dockerfile
    assert any("weak dependencies kept" in change.description for change in candidate.changes)


def test_nothing_to_slim_is_a_reason() -> None:
    candidates, rejections = slim_candidates(parse('FROM alpine:3.19\nCOPY x /x\nCMD ["/x"]\n'))
    assert candidates == []
    assert rejections[0].reason.startswith("no slimmer base, layer to merge")
    assert "alpine:3.19 is already small" in rejections[0].reason


ORIGINAL_WITH_PACKAGES = """\
FROM python:3.11
WORKDIR /app
RUN apt-get update
RUN apt-get install -y libpq5
COPY . .
EXPOSE 8000
CMD ["python", "app.py"]
"""
RESTRUCTURED = """\
FROM python:3.11 AS builder
WORKDIR /app
COPY . .

FROM python:3.11-slim
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /app /app
EXPOSE 8000
CMD ["python", "app.py"]
"""


def test_slim_is_superseded_when_a_multi_stage_candidate_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [c.strategy for c in optimize("Dockerfile", ORIGINAL_WITH_PACKAGES).candidates] == ["slim"]
    made = Candidate(
        "multi-stage",
        RESTRUCTURED,
        (Change("multi-stage", "builder"), Change("base-image", "python:3.11-slim")),
        Estimate(None, None, 0, 0, "made by hand"),
    )
    monkeypatch.setattr(optimize_module, "render_candidates", lambda *arguments: ([made], []))
    result = optimize("Dockerfile", ORIGINAL_WITH_PACKAGES)
    assert [c.strategy for c in result.candidates] == ["multi-stage"]
    assert Rejection("slim", SLIM_SUPERSEDED) in result.rejected


FLASK = """\
FROM python:3.11
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --chown=0:0 config.ini /etc/app.ini
EXPOSE 5000
CMD ["gunicorn", "-b", "0.0.0.0:5000", "app:app"]
"""


def test_an_application_run_as_root_gets_a_numeric_user_owning_its_workdir_and_copies() -> None:
    candidate = slim_of(FLASK)
    text = candidate.dockerfile
    assert "COPY --chown=10001:10001 requirements.txt .\n" in text
    assert "COPY --chown=10001:10001 . .\n" in text
    assert "COPY --chown=0:0 config.ini /etc/app.ini\n" in text, "an explicit --chown and paths outside stay"
    user_run = text.index("RUN groupadd --system --gid 10001 app")
    assert text.index("COPY --chown=0:0 config.ini") < user_run < text.index("USER 10001:10001") < text.index("EXPOSE")
    assert "&& chown 10001:10001 /app \\\n" in text
    kinds = [change.kind for change in candidate.changes]
    assert "user" in kinds and "ownership" in kinds
    assert "CD1001" not in {finding.code for finding in lint_text(text).findings}


def test_alpine_adds_the_user_with_adduser() -> None:
    text = 'FROM node:20-alpine\nWORKDIR /srv\nCOPY . .\nCMD ["node", "server.js"]\n'
    candidate = slim_of(text)
    assert "RUN addgroup -S -g 10001 app \\\n && adduser -S -D -H -u 10001 -G app app" in candidate.dockerfile
    assert candidate.dockerfile.endswith('USER 10001:10001\nCMD ["node", "server.js"]\n')


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            'FROM debian:bookworm-slim\nWORKDIR /srv\nCOPY run.sh .\nENTRYPOINT ["/srv/docker-entrypoint.sh"]\n',
            "the start command",
        ),
        ('FROM debian:bookworm-slim\nWORKDIR /srv\nCMD ["/usr/sbin/postgres"]\n', "the start command"),
        ('FROM python:3.11-slim\nWORKDIR /srv\nCMD ["bash"]\n', "the start command"),
        ('FROM python:3.11-slim\nWORKDIR /srv\nVOLUME /data\nCMD ["python", "app.py"]\n', "VOLUME"),
        ('FROM python:3.11-slim\nWORKDIR /srv\nEXPOSE 80\nCMD ["python", "app.py"]\n', "EXPOSE of a port below 1024"),
        ('FROM scratch\nWORKDIR /srv\nCOPY app .\nCMD ["/srv/app"]\n', "scratch has no shell"),
        (
            'FROM example/private:1\nWORKDIR /srv\nCMD ["python", "app.py"]\n',
            "does not know that example/private:1 runs as root",
        ),
    ],
)
def test_no_user_where_root_may_be_needed_or_the_image_is_unknown(text: str, reason: str) -> None:
    candidates, rejections = slim_candidates(parse(text))
    assert candidates == []
    assert "no non-root user: " in rejections[0].reason and reason in rejections[0].reason


def test_the_original_user_is_kept() -> None:
    text = 'FROM python:3.11-slim\nWORKDIR /srv\nUSER 1000\nCMD ["python", "app.py"]\n'
    candidates, rejections = slim_candidates(parse(text))
    assert candidates == [] and "no non-root user" not in rejections[0].reason


def test_without_recommends_https_still_has_its_certificates() -> None:
    text = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y wget\n"
        "RUN wget -q https://example.org/x.tar.gz\n"
    )
    assert "apt-get install --no-install-recommends -y wget ca-certificates" in slim_of(text).dockerfile
    named = text.replace("-y wget", "-y wget ca-certificates")
    assert slim_of(named).dockerfile.count("ca-certificates") == 1
    plain = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y jq\n"
    assert "ca-certificates" not in slim_of(plain).dockerfile


def test_recommends_are_kept_where_later_steps_rely_on_them() -> None:
    pip = (
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y python3-pip\n"
        "RUN pip install --break-system-packages uwsgi\n"
    )
    candidate = slim_of(pip)
    assert "--no-install-recommends" not in candidate.dockerfile
    assert any("recommended packages kept: python3-pip" in change.description for change in candidate.changes)
    ssh = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y git\nRUN git clone git@example.org:x/y.git\n"
    assert "--no-install-recommends" not in slim_of(ssh).dockerfile
