from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, findings, fixed, lines

PIPE = "RUN wget -O - https://some.site | wc -l > /number\n"


def test_missing_pipefail():
    catches("DL4006", "FROM scratch\n" + PIPE)
    catches("DL4006", 'FROM scratch as build\nSHELL ["/bin/sh", "-o", "pipefail", "-c"]\n' + PIPE)


def test_no_pipe():
    catches_not("DL4006", "FROM scratch\nRUN wget -O - https://some.site && wc -l file > /number\n")
    catches_not("DL4006", "FROM scratch\nRUN echo 'a | b' || true\n")


def test_pipefail_shells():
    for shell in [
        '["/bin/bash", "-eo", "pipefail", "-c"]',
        '["/bin/bash", "-e", "-o", "pipefail", "-c"]',
        '["/bin/bash", "-o", "errexit", "-o", "pipefail", "-c"]',
        '["/bin/zsh", "-o", "pipefail", "-c"]',
        '["/usr/bin/bash", "-o", "pipefail", "-c"]',
        '["/usr/local/bin/zsh", "-o", "pipefail", "-c"]',
        '["/bin/ash", "-o", "pipefail", "-c"]',
    ]:
        catches_not("DL4006", f"FROM scratch\nSHELL {shell}\n" + PIPE)


def test_non_posix_shells():
    run = "RUN Get-Variable PSVersionTable | Select-Object -ExpandProperty Value\n"
    for shell in ['["pwsh", "-c"]', '[ "powershell.exe" ]', '[ "cmd.exe", "/c" ]']:
        catches_not("DL4006", f"FROM mcr.microsoft.com/powershell:ubuntu-16.04\nSHELL {shell}\n" + run)


def test_shell_scope():
    pipefail = 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
    assert lines("DL4006", "FROM scratch as build\n" + pipefail + PIPE + "FROM scratch as build2\n" + PIPE) == [5]
    assert lines("DL4006", "FROM scratch\n" + pipefail + PIPE + 'SHELL ["/bin/sh", "-c"]\n' + PIPE) == [5]


def test_shell_inherited_from_parent_stage():
    # hadolint forgets the SHELL at every FROM; the stage inherits it.
    pipefail = 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
    catches_not("DL4006", "FROM debian:12 AS base\n" + pipefail + "FROM base\n" + PIPE)


def test_script_that_sets_pipefail_first():
    catches_not("DL4006", "FROM debian:12\nRUN set -euo pipefail; curl -s x | sh\n")
    catches_not("DL4006", "FROM debian:12\nRUN set -o pipefail && curl -s x | sh\n")
    catches("DL4006", "FROM debian:12\nRUN curl -s x | sh && set -o pipefail\n")


def test_pipe_in_heredoc():
    catches("DL4006", "FROM debian:12\nRUN <<EOF\ncurl -s x | sh\nEOF\n")


def test_onbuild_not_checked():
    catches_not("DL4006", "FROM debian:12\nONBUILD " + PIPE)


def test_fix_alpine_uses_ash_and_keeps_indent_and_pragma():
    before = "FROM alpine:3.20\nWORKDIR /x\n\n  # hadolint ignore=DL3018\n  RUN apk add curl | cat\nRUN a | b\n"
    assert fixed("DL4006", before) == (
        "FROM alpine:3.20\nWORKDIR /x\n\n"
        '  SHELL ["/bin/ash", "-o", "pipefail", "-c"]\n'
        "  # hadolint ignore=DL3018\n  RUN apk add curl | cat\nRUN a | b\n"
    )
    assert all(f.fix is not None for f in findings("DL4006", before))


def test_fix_alpine_tag_of_official_image_and_crlf():
    before = "FROM python:3.12-alpine\r\nRUN a | b\r\n"
    assert fixed("DL4006", before) == (
        'FROM python:3.12-alpine\r\nSHELL ["/bin/ash", "-o", "pipefail", "-c"]\r\nRUN a | b\r\n'
    )


def test_fix_debian_family_uses_bash():
    before = "ARG BASE=python:3.12-slim\nFROM ${BASE}\nRUN curl -s x | tar -xz\n"
    assert fixed("DL4006", before) == (
        'ARG BASE=python:3.12-slim\nFROM ${BASE}\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        "RUN curl -s x | tar -xz\n"
    )


def test_fix_follows_parent_stages():
    before = "FROM fedora:40 AS base\nFROM base\nRUN a | b\n"
    assert fixed("DL4006", before) == (
        'FROM fedora:40 AS base\nFROM base\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN a | b\n'
    )


def test_fix_unsafe_when_shells_or_pipefail_change_meaning():
    for script in [
        "RUN echo -e 'a\\nb' | tee f",
        "RUN mkdir -p /x/{a,b} && ls | cat",
        "RUN yes | apt-get install x",
        "RUN curl x | head -1",
    ]:
        (finding,) = findings("DL4006", f"FROM debian:12\n{script}\n")
        assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE, script
    (finding,) = findings("DL4006", "FROM debian:12\nRUN a | b\nCMD serve | tee log\n")
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    (finding,) = findings("DL4006", "FROM debian:12 AS base\nRUN a | b\nFROM base\n")
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE


def test_fix_unsafe_before_a_shell_form_start_or_healthcheck_in_any_image_family():
    """Corpus 0252: the SHELL would also run a later shell-form HEALTHCHECK (under bash, with pipefail)."""
    for head in ["FROM ubuntu:16.04", "FROM alpine:3.20", "FROM fedora:40"]:
        for start in ["HEALTHCHECK --timeout=2s CMD curl -sf http://localhost/ || exit 1", "ENTRYPOINT serve"]:
            (finding,) = findings("DL4006", f"{head}\nRUN a | b\n{start}\n")
            assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE, (head, start)
    for start in ['HEALTHCHECK CMD ["curl", "-sf", "http://localhost/"]', "HEALTHCHECK NONE", 'CMD ["serve"]']:
        (finding,) = findings("DL4006", f"FROM ubuntu:16.04\nRUN a | b\n{start}\n")
        assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE, start


def test_no_fix_for_unknown_images_or_custom_shell():
    for head in ["FROM busybox", "FROM scratch", "FROM gcr.io/distroless/base", "FROM $IMG", "FROM acme/debian"]:
        (finding,) = findings("DL4006", f"{head}\nRUN a | b\n")
        assert finding.fix is None, head
    (finding,) = findings("DL4006", 'FROM debian:12\nSHELL ["/bin/sh", "-x", "-c"]\nRUN a | b\n')
    assert finding.fix is None
