import pytest

from tests.rules.helpers import catches, catches_not, lines

PINNED = [
    "apk add flex=2.6.4-r1",
    "apk add --no-cache git~2.52.0",
    "apk add --no-cache git~=2.52",
    "apk add --no-cache git=~2.52",
    "apk add --no-cache flex=2.6.4-r1 \\\n && pip install -r requirements.txt",
    "apk add --no-cache \\\nflex=2.6.4-r1 \\\nlibffi=3.2.1-r3 \\\npython2=2.7.13-r1 \\\nlibbz2=1.0.6-r5",
    'apk add --no-cache \\\n  "flex>=2.6.1-r1" \\\n  "libffi~3.2.1" \\\n  "python3<3.6.12-r2" \\\n  "libbz2=~1.0.6-r4"',
    "apk add \\\n--virtual build-dependencies \\\npython-dev=1.1.1 build-base=2.2.2 wget=3.3.3 \\\n"
    "&& pip install -r requirements.txt \\\n&& python setup.py install \\\n&& apk del build-dependencies",
    "apk add -t .deps curl=1",
    "apk add --no-cache \\\n--repository https://nl.alpinelinux.org/alpine/edge/testing \\\nflow=0.78.0-r0",
    "apk add --no-cache \\\n--repository=https://nl.alpinelinux.org/alpine/edge/testing \\\nflow=0.78.0-r0",
    "apk add --no-cache \\\n-X https://nl.alpinelinux.org/alpine/edge/testing \\\nflow=0.78.0-r0",
    "apk add mypackage-1.1.1.apk",
    "apk del flex",
    "apk update",
]

UNPINNED = [
    "apk add flex",
    "apk add --no-cache \\\nflex=2.6.4-r1 \\\nlibffi \\\npython2=2.7.13-r1 \\\nlibbz2=1.0.6-r5",
    "apk --update add flex",
    "apk add --virtual=.deps flex",
]


@pytest.mark.parametrize("script", PINNED)
def test_pinned(script):
    catches_not("DL3018", f"FROM alpine:3.19\nRUN {script}\n")
    catches_not("DL3018", f"FROM alpine:3.19\nONBUILD RUN {script}\n")


@pytest.mark.parametrize("script", UNPINNED)
def test_unpinned(script):
    catches("DL3018", f"FROM alpine:3.19\nRUN {script}\n")
    catches("DL3018", f"FROM alpine:3.19\nONBUILD RUN {script}\n")


def test_reported_on_first_line_without_fix():
    assert lines("DL3018", "FROM alpine:3.19\nRUN apk update \\\n && apk add curl\n") == [2]
    assert catches("DL3018", "FROM alpine:3.19\nRUN apk add curl\n")[0].fix is None
