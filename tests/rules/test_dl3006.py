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


def test_variable_that_cannot_supply_a_tag():
    """Trivy/hadolint fixtures: a variable before the last `/` or never declared gives no tag."""
    assert lines("DL3006", "ARG REGISTRY\nFROM ${REGISTRY}/ubuntu\n") == [2]
    assert lines("DL3006", "ARG REGISTRY=docker.io\nFROM ${REGISTRY}/library/ubuntu\n") == [2]
    assert lines("DL3006", "FROM alpine$TAG\n") == [1]
    assert lines("DL3006", "FROM alpine${TAG}\nRUN true\n") == [1]


def test_variable_that_can_supply_a_tag_stays_quiet():
    catches_not("DL3006", "ARG TAG=3.20\nFROM alpine:${TAG}\n")
    catches_not("DL3006", "ARG IMAGE=alpine:3.20\nFROM ${IMAGE}\n")
    catches_not("DL3006", "ARG REGISTRY\nFROM ${REGISTRY}/ubuntu:22.04\n")
    catches_not("DL3006", "ARG REGISTRY\nFROM ${REGISTRY}/ubuntu@sha256:f1dbca0f5dbc9\n")
    # Declared without a default: `--build-arg TAG=:3.20` may supply it.
    catches_not("DL3006", "ARG TAG\nFROM alpine$TAG\n")
    catches_not("DL3006", "FROM alpine:$TAG\n")
    catches_not("DL3006", "FROM ${VALUE}\n")


def test_undeclared_variable_naming_an_earlier_stage():
    catches_not("DL3006", "FROM debian:12 AS build\nFROM build${SUFFIX}\n")
    catches_not("DL3006", "FROM debian:12 AS base-amd64\nFROM base-$TARGETARCH\n")


def test_default_that_names_another_variable():
    catches_not("DL3006", "ARG FLAVOR=${TARGETARCH}\nFROM debian:12 AS amd64\nFROM ${FLAVOR}\n")
