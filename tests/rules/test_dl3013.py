import pytest

from tests.rules.helpers import catches, catches_not


@pytest.mark.parametrize(
    "run",
    [
        "pip2 install MySQL_python",
        "pip3 install MySQL_python",
        "pip install MySQL_python",
        "python -m pip install example",
        "python3 -m pip install --index-url url example",
        "pip install git+https://github.com/rtfd/read-ext.git#egg=read-ext",
        "pip install git+ssh://github.com/rtfd/read-ext.git#egg=read-ext",
        "pipx install black",
        "pip install --root-user-action=ignore mypkg",
        "pip install --upgrade pip",
        "pip install --timeout 60 requests",
        "pip install requests==2.0 flask",
        "pip install gitpython",
    ],
)
def test_unpinned(run: str) -> None:
    catches("DL3013", f"FROM python:3.12\nRUN {run}\n")
    catches("DL3013", f"FROM python:3.12\nONBUILD RUN {run}\n")


@pytest.mark.parametrize(
    "run",
    [
        "pip3 install MySQL_python==1.2.2",
        "pip install MySQL_python~=1.2.2",
        "pip install MySQL_python===1.2.2",
        "pip install 'alabaster>=0.7'",
        "pip install 'alabaster<0.7'",
        "pip install 'alabaster!=0.7'",
        "pip install 'requests[socks]==2.32.3'",
        "pip3 install mypkg.whl",
        "pip3 install mypkg.tar.gz",
        "pip install dist/mypkg.zip",
        "pip install -r requirements.txt",
        "pip install --requirement requirements.txt",
        "pip install --requirement=requirements.txt",
        "pip install .",
        "pip install -e .",
        "pip install -e ./libs/core",
        "pip install --editable git+https://github.com/x/y.git#egg=y",
        "pip install foo/bar",
        "pip install https://foo.bar/baz.zip",
        "pip install git+https://github.com/rtfd/r-ext.git@0.6-alpha#egg=r-ext",
        "pip install git+ssh://github.com/rtfd/r-ext.git@0.6-alpha#egg=r-ext",
        "pip install --ignore-installed MySQL_python==1.2.2",
        "pip3 install --build /opt/yamllint yamllint==1.20.0",
        "pip3 install --prefix /opt/yamllint yamllint==1.20.0",
        "pip3 install --root /opt/yamllint yamllint==1.20.0",
        "pip3 install --target /opt/yamllint yamllint==1.20.0",
        "pip3 install --trusted-host host example==1.2.2",
        "pip install MySQL_python==1.2.2 --user --no-cache-dir --disable-pip-version-check",
        "pip install --index-url https://user:pass@eg.com/foo --extra-index-url https://ex-eg.io/foo foobar==1.0.0",
        "pip install -i https://eg.com/foo foobar==1.0.0",
        "pip install --timeout 60 --retries 3 requests==2.32.3",
        "pip install pykafka --constraint http://foo.bar.baz",
        "pip install pykafka -c constraints.txt",
        "python -m pip install example==1.2.2",
        'pipx install --python "$(which python)" "poetry==1.8.5"',
        "pip install --no-cache-dir --root-user-action ignore poetry==1.8.5",
        "pipenv install black",
        "pip download requests",
    ],
)
def test_pinned_or_not_a_package_install(run: str) -> None:
    catches_not("DL3013", f"FROM python:3.12\nRUN {run}\n")
    catches_not("DL3013", f"FROM python:3.12\nONBUILD RUN {run}\n")
