from tests.rules.helpers import catches, catches_not, lines


def test_untagged():
    catches("DL3006", "FROM debian\n")
    catches("DL3006", "FROM debian AS builder\n")
    catches("DL3006", "FROM registry.example.com:5000/team/app\n")


def test_tag_digest_and_scratch_are_fine():
    catches_not("DL3006", "FROM ruby@sha256:f1dbca0f5dbc9\n")
    catches_not("DL3006", "FROM ruby:2\n")
    catches_not("DL3006", "FROM registry.example.com:5000/team/app:1.0\n")
    catches_not("DL3006", "FROM scratch\n")


def test_earlier_stage_aliases():
    ok = "FROM golang:1.9.3-alpine3.7 AS build\nRUN foo\nFROM build as unit-test\nRUN bar\nFROM alpine:3.7\n"
    catches_not("DL3006", ok)
    bad = "FROM golang:1.9.3-alpine3.7 AS build\nRUN foo\nFROM node as unit-test\nRUN bar\nFROM alpine:3.7\n"
    assert lines("DL3006", bad) == [3]


def test_arg_is_judged_on_its_default():
    # hadolint skips every image starting with a variable.
    assert lines("DL3006", "ARG BASE=debian\nFROM ${BASE}\n") == [2]
    catches_not("DL3006", "ARG BASE=debian:12\nFROM ${BASE}\n")
    catches_not("DL3006", "FROM ${VALUE}\n")
    catches_not("DL3006", "ARG BASE\nFROM $BASE\n")


def test_variable_stage_references():
    dockerfile = "FROM debian:12 AS base-amd64\nFROM debian:12 AS base-arm64\nFROM base-${TARGETARCH} AS base\n"
    catches_not("DL3006", dockerfile)
    dockerfile = "ARG FLAVOR=slim\nFROM debian:12 AS app-slim\nFROM app-${FLAVOR}\n"
    catches_not("DL3006", dockerfile)
