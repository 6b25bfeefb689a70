import pytest

from tests.rules.helpers import catches, catches_not, lines

PINNED = [
    "npm install",
    "npm install --progress=false",
    "npm install express@4.1.1",
    'npm install @myorg/privatepackage@">=0.1.0"',
    'npm install @myorg/privatepackage@">=0.1.0 <0.2.0"',
    'npm install express@"4.1.1" sax@0.1.1',
    'npm install --global express@"4.1.1"',
    'npm install -g express@"4.1.1"',
    "npm install package-v1.2.3.tar",
    "npm install package-v1.2.3.tar.gz",
    "npm install package-v1.2.3.tgz",
    "npm install /folder",
    "npm install ./folder",
    "npm install ../folder",
    "npm install ~/folder",
    "npm install git+ssh://git@github.com:npm/npm.git#v1.0.27",
    "npm install git+http://isaacs@github.com/npm/npm#semver:^5.0",
    "npm install git+https://isaacs@github.com/npm/npm.git#v1.0.27",
    "npm install git://github.com/npm/npm.git#v1.0.27",
    "npm run --crazy install",
    "npm install --loglevel verbose sax@0.1.1",
    "npm install --registry https://example.com sax@0.1.1",
    "npm ci",
]

UNPINNED = [
    "npm install express",
    "npm install @myorg/privatepackage",
    "npm install express sax@0.1.1",
    "npm install --global express",
    "npm install git+ssh://git@github.com:npm/npm.git",
    "npm install git+http://isaacs@github.com/npm/npm",
    "npm install git+https://isaacs@github.com/npm/npm.git",
    "npm install git://github.com/npm/npm.git",
    "npm install --registry https://example.com express",
    "npm install --registry=https://example.com express",
    "npm install express@1 install",
]


@pytest.mark.parametrize("script", PINNED)
def test_pinned(script):
    catches_not("DL3016", f"FROM node:20\nRUN {script}\n")
    catches_not("DL3016", f"FROM node:20\nONBUILD RUN {script}\n")


@pytest.mark.parametrize("script", UNPINNED)
def test_unpinned(script):
    catches("DL3016", f"FROM node:20\nRUN {script}\n")
    catches("DL3016", f"FROM node:20\nONBUILD RUN {script}\n")


def test_reported_once_on_first_line():
    assert lines("DL3016", "FROM node:20\nRUN npm install a \\\n && npm install b\n") == [2]


def test_no_fix():
    assert catches("DL3016", "FROM node:20\nRUN npm install express\n")[0].fix is None
