import pytest

from tests.rules.helpers import catches, catches_not, lines


@pytest.mark.parametrize(
    "dockerfile",
    [
        "FROM debian:bullseye\nRUN foobar\n",
        "ARG foobar\nFROM debian:bullseye\nRUN foobar\n",
        "FROM debian:bullseye\nENV foobar=barfoo\nRUN foobar\n",
        "FROM debian:bullseye\nENV PATH=/usr/local/bin:$PATH\n",
        "FROM debian:bullseye\nLABEL token=x\n",
        "FROM debian:bullseye\nENV VITE_API_URL=https://api.example.com REACT_APP_TITLE=x\n",
        "FROM debian:bullseye\nARG AWS_REGION=eu-west-1\nARG MY_AWS_ACCESS_KEY_ID_FILE=/run/x\n",
        "FROM debian:bullseye\nENV VITEAWS_ACCESS_KEY_ID_=x\n",
    ],
)
def test_harmless_names(dockerfile):
    catches_not("DL3064", dockerfile)


@pytest.mark.parametrize(
    "instruction",
    [
        "ARG AWS_ACCESS_KEY_ID",
        "ARG openai_api_key",
        "ENV AWS_ACCESS_KEY_ID=abcdefghijklmnopqrstuvwxyz",
        "ENV my_password=abcdefghijklmnopqrstuvwxyz",
        "ENV A=1 DB_PASSWORD=x",
        "ENV GITHUB_TOKEN abc",
        "ARG Private_Key_Path=/k",
        "ARG DOCKER_EMAIL=a@b.c",
        "ARG VITE_AWS_ACCESS_KEY_ID",
        "ENV REACT_APP_FACEBOOK_APP_ID=123",
        "ENV MY_GITHUB_TOKEN=x",
        "ARG prod_aws_access_key_id",
        "ENV TOKEN_URL=https://auth.example.com/token",
    ],
)
def test_sensitive_names(instruction):
    catches("DL3064", f"FROM debian:bullseye\n{instruction}\n", count=1)
    catches("DL3064", f"FROM debian:bullseye\nONBUILD {instruction}\n", count=1)


def test_global_arg_line():
    assert lines("DL3064", "ARG GH_TOKEN\nFROM debian:bullseye\nARG GH_TOKEN\n") == [1, 3]
