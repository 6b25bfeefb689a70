from codi.pipeline.config import LintConfig
from tests.rules.helpers import catches, catches_not, lines


def trusting(*registries):
    return LintConfig(trusted_registries=registries)


def test_does_nothing_without_trusted_registries():
    catches_not("DL3026", "FROM random.com/debian\n")


def test_from_images():
    catches("DL3026", "FROM random.com/debian\n", config=trusting("docker.io"))
    catches_not("DL3026", "FROM random.com/debian\n", config=trusting("x.com", "random.com"))
    catches_not("DL3026", "FROM scratch\n", config=trusting("x.com", "random.com"))
    hub = (
        "FROM ubuntu:18.04 AS builder1\n"
        "FROM zemanlx/ubuntu:18.04 AS builder2\n"
        "FROM docker.io/zemanlx/ubuntu:18.04 AS builder3\n"
    )
    catches_not("DL3026", hub, config=trusting("docker.io"))
    catches_not("DL3026", hub, config=trusting("hub.docker.com"))
    catches_not("DL3026", hub, config=trusting("*"))
    assert lines("DL3026", hub, config=trusting("trusted.com")) == [1, 2, 3]


def test_previous_stages_are_trusted():
    catches_not("DL3026", "FROM random.com/foo AS builder1\nFROM builder1 AS builder2\n", config=trusting("random.com"))
    catches("DL3026", "FROM random.com/foo AS builder1\nFROM builder1:1 AS builder2\n", config=trusting("random.com"))


def test_wildcards():
    catches("DL3026", "FROM x.com/debian\n", config=trusting("*.random.com"))
    catches_not("DL3026", "FROM foo.random.com/debian\n", config=trusting("x.com", "*.random.com"))
    catches_not("DL3026", "FROM registry.corp.net:5000/debian\n", config=trusting("registry.corp.*"))


def test_from_variable_judged_on_default():
    catches_not("DL3026", "ARG BASE=trusted.com/debian:12\nFROM ${BASE}\n", config=trusting("trusted.com"))
    catches("DL3026", "ARG BASE=debian:12\nFROM ${BASE}\n", config=trusting("trusted.com"))


def test_copy_from():
    catches("DL3026", "COPY --from=untrusted.com/repo/image:tag /foo /bar\n", config=trusting("trusted.com"))
    catches_not("DL3026", "COPY --from=trusted.com/repo/image:tag /foo /bar\n", config=trusting("trusted.com"))
    stages = "FROM trusted.com/a AS build\nFROM trusted.com/b\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\n"
    catches_not("DL3026", stages, config=trusting("trusted.com"))
    text = "FROM trusted.com/a\nCOPY a b\nCOPY --from=nginx:1 /a /a\n"
    assert lines("DL3026", text, config=trusting("trusted.com")) == [3]


def test_run_mounts():
    config = trusting("trusted.com")
    catches("DL3026", "RUN --mount=type=bind,from=untrusted.com/repo/image:tag,target=/foo foobar\n", config=config)
    catches("DL3026", "RUN --mount=type=cache,from=untrusted.com/repo/image:tag,target=/foo foobar\n", config=config)
    catches("DL3026", "RUN --mount=from=untrusted.com/repo/image:tag,target=/foo foobar\n", config=config)
    catches_not("DL3026", "RUN --mount=type=bind,from=trusted.com/repo/image:tag,target=/foo foobar\n", config=config)
    catches_not("DL3026", "RUN --mount=type=cache,from=trusted.com/repo/image:tag,target=/foo foobar\n", config=config)
    catches_not("DL3026", "RUN --mount=type=cache,target=/root/.cache foobar\n", config=config)
    catches_not("DL3026", "RUN --mount=type=secret,id=x foobar\n", config=config)
    catches_not(
        "DL3026", "FROM trusted.com/a AS deps\nFROM trusted.com/b\nRUN --mount=from=deps,target=/d x\n", config=config
    )
