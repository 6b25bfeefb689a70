from tests.rules.helpers import catches_not, lines


def test_instruction_before_from():
    assert lines("DL3061", "LABEL foo=bar\nFROM foo\n") == [1]
    assert lines("DL3061", "ARG A=1\nENV X=1\nRUN true\nFROM foo\n") == [2, 3]


def test_valid_orders():
    catches_not("DL3061", "FROM foo\nLABEL foo=bar\n")
    catches_not("DL3061", "ARG A=B\nFROM foo\nLABEL foo=bar\n")
    catches_not("DL3061", "# syntax = docker/dockerfile:1.0-experimental\nFROM node:16-alpine3.13\n")
    catches_not("DL3061", "# comment\nFROM foo\nARG A=B\nRUN echo bla\n")
