from tests.rules.helpers import catches, catches_not, lines


def test_no_user():
    catches("CD1001", "FROM python:3.12\nCMD [\"python\"]\n")


def test_user_in_final_stage():
    catches_not("CD1001", "FROM python:3.12\nUSER 10001\n")
    catches_not("CD1001", "FROM python:3.12\nUSER root\n")


def test_only_final_stage_counts():
    assert lines("CD1001", "FROM golang:1.22 AS build\nUSER 1000\nFROM debian:12\nCOPY --from=build /a /a\n") == [3]


def test_user_inherited_from_parent_stage():
    catches_not("CD1001", "FROM debian:12 AS base\nUSER 1000\nFROM base\nCMD [\"x\"]\n")
    catches("CD1001", "FROM debian:12 AS base\nFROM base\nCMD [\"x\"]\n")


def test_non_root_images():
    catches_not("CD1001", "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY app /app\n")


def test_onbuild_user_does_not_count():
    catches("CD1001", "FROM debian:12\nONBUILD USER 1000\n")
