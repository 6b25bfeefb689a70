from tests.rules.helpers import catches, catches_not, lines


def test_latest():
    catches("DL3007", "FROM debian:latest\n")
    catches("DL3007", "FROM debian:latest AS builder\n")


def test_other_tags_and_digests_are_fine():
    catches_not("DL3007", "FROM debian:jessie\n")
    catches_not("DL3007", "FROM debian:jessie AS builder\n")
    digest = "sha256:7959ed6f7e35f8b1aaa06d1d8259d4ee25aa85a086d5c125480c333183f9deeb"
    catches_not("DL3007", f"FROM hub.docker.io/debian@{digest}\n")
    catches_not("DL3007", f"FROM hub.docker.io/debian:latest@{digest}\n")
    catches_not("DL3007", "FROM debian\n")


def test_arg_is_judged_on_its_default():
    assert lines("DL3007", "ARG GOVERSION=latest\nFROM golang:$GOVERSION\n") == [2]
    catches_not("DL3007", "ARG GOVERSION=1.22\nFROM golang:$GOVERSION\n")
    catches_not("DL3007", "FROM golang:$GOVERSION\n")
