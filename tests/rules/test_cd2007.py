from tests.rules.helpers import catches, catches_not

_COPY_ALL = "FROM python:3.12-slim\nCOPY requirements.txt .\nCOPY . /app\nADD . /other\n"


def test_missing_dockerignore():
    found = catches("CD2007", _COPY_ALL, count=1, context_files=frozenset({"Dockerfile", "app.py"}))
    assert found[0].line == 3


def test_dockerignore_present():
    catches_not("CD2007", _COPY_ALL, context_files=frozenset({"Dockerfile", ".dockerignore"}))
    catches_not("CD2007", _COPY_ALL, context_files=frozenset({"docker/Dockerfile", "docker/Dockerfile.dockerignore"}))


def test_nested_dockerignore_is_not_read_by_docker():
    catches("CD2007", _COPY_ALL, context_files=frozenset({"Dockerfile", "sub/.dockerignore"}))


def test_unknown_context_or_selective_copies():
    catches_not("CD2007", _COPY_ALL)
    catches_not("CD2007", "FROM x:1\nCOPY src/ /app\n", context_files=frozenset({"Dockerfile"}))
