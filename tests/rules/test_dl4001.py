from tests.rules.helpers import catches, catches_not, lines


def test_both_in_one_stage():
    assert lines("DL4001", "FROM node as foo\nRUN wget my.xyz\nRUN curl localhost\n") == [3]
    catches("DL4001", "FROM node as foo\nRUN wget my.xyz && curl localhost\n")


def test_only_one_tool():
    catches_not("DL4001", "FROM node as foo\nRUN wget my.xyz\n")


def test_stages_are_separate():
    catches_not("DL4001", "FROM node as foo\nRUN wget my.xyz\nFROM scratch\nRUN curl localhost\n")
    assert lines(
        "DL4001", "FROM node\nRUN wget my.xyz\nRUN curl localhost\nFROM scratch\nRUN curl localhost\n"
    ) == [3]


def test_only_runs_using_a_tool_are_reported():
    assert lines("DL4001", "FROM node\nRUN wget a\nRUN curl b\nRUN echo hello\nRUN wget c\n") == [3, 5]


def test_onbuild_counted_apart():
    catches_not("DL4001", "FROM node\nRUN wget a\nONBUILD RUN curl b\n")
    assert lines("DL4001", "FROM node\nONBUILD RUN wget a\nONBUILD RUN curl b\n") == [3]
