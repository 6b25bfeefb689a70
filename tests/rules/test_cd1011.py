from tests.rules.helpers import catches, catches_not, lines


def test_unpinned():
    catches("CD1011", "FROM python:3.12-slim\n")
    catches("CD1011", "FROM python\n")
    catches("CD1011", "FROM --platform=linux/amd64 registry.example.com:5000/team/app:1.0 AS base\n")


def test_pinned_or_not_an_image():
    digest = "sha256:" + "a" * 64
    catches_not("CD1011", f"FROM python:3.12-slim@{digest}\n")
    catches_not("CD1011", f"FROM python@{digest}\n")
    catches_not("CD1011", "FROM scratch\n")
    catches_not("CD1011", f"FROM python@{digest} AS base\nFROM base\n")


def test_arg_default():
    digest = "sha256:" + "b" * 64
    catches("CD1011", "ARG BASE=alpine:3.20\nFROM ${BASE}\n")
    catches_not("CD1011", f"ARG BASE=alpine:3.20@{digest}\nFROM ${{BASE}}\n")
    catches_not("CD1011", "ARG BASE\nFROM $BASE\n")


def test_each_stage():
    assert lines("CD1011", "FROM golang:1.22 AS build\nFROM build AS test\nFROM debian:12\n") == [1, 3]
