"""Dry-run size and layer estimates: base sizes from the tables, install heuristics, always labelled."""

from __future__ import annotations

from codi.pipeline.optimize.estimate import (
    APK_PACKAGE_MB,
    DEPENDENCY_MB,
    MB,
    OS_CACHE_MB,
    OS_PACKAGE_MB,
    base_image_mb,
    estimate_change,
    image_estimate,
)
from codi.pipeline.parser import parse
from codi.pipeline.semantic import parse_image
from codi.knowledge.images import ALPINE_VARIANT_MB, BASE_IMAGE_MB, SMALLER_VARIANTS, TOOLCHAIN_IMAGES


def test_base_sizes_come_from_the_image_tables() -> None:
    assert base_image_mb(parse_image("python:3.12")) == SMALLER_VARIANTS["python"].full_mb
    assert base_image_mb(parse_image("python:3.12-slim-bookworm")) == SMALLER_VARIANTS["python"].small_mb
    assert base_image_mb(parse_image("eclipse-temurin:21-jre")) == SMALLER_VARIANTS["eclipse-temurin"].small_mb
    assert base_image_mb(parse_image("node:20-alpine")) == ALPINE_VARIANT_MB["node"]
    assert base_image_mb(parse_image("golang:1.22")) == TOOLCHAIN_IMAGES["golang"].size_mb
    assert base_image_mb(parse_image("gcr.io/distroless/static-debian12:nonroot")) == (
        BASE_IMAGE_MB["gcr.io/distroless/static"]
    )
    assert base_image_mb(parse_image("scratch")) == 0
    assert base_image_mb(parse_image("example.com/team/app:1")) is None
    assert base_image_mb(parse_image("python:${VERSION}")) is None


def test_installs_and_left_caches_add_typical_sizes() -> None:
    estimate = image_estimate(
        parse(
            "FROM debian:12\n"
            "RUN apt-get update && apt-get install -y gcc curl\n"
            "RUN pip install -r requirements.txt\n"
            "COPY . /app\n"
        )
    )
    pip_installed, pip_cache = DEPENDENCY_MB["pip"]
    expected = (
        SMALLER_VARIANTS["debian"].full_mb
        + OS_PACKAGE_MB["toolchain"] + OS_PACKAGE_MB["other"] + OS_CACHE_MB["apt"]
        + pip_installed + pip_cache
    )  # fmt: skip
    assert estimate.size_mb == expected
    assert estimate.layers == 3
    assert "apt package cache left in the layer ≈ 20 MB" in estimate.basis


def test_cleaned_or_mounted_caches_are_not_counted() -> None:
    estimate = image_estimate(
        parse(
            "FROM alpine:3.20\n"
            "RUN apk add --no-cache curl\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
        )
    )
    assert estimate.size_mb == BASE_IMAGE_MB["alpine"] + APK_PACKAGE_MB["other"] + DEPENDENCY_MB["pip"][0]


def test_only_the_image_stages_count_plus_what_is_copied_from_builders() -> None:
    estimate = image_estimate(
        parse(
            "FROM golang:1.22 AS build\nRUN apt-get update && apt-get install -y gcc\nRUN go build -o /app .\n"
            "FROM gcr.io/distroless/static\nCOPY --from=build /app /app\n"
        )
    )
    assert estimate.layers == 1
    assert estimate.basis == ("base gcr.io/distroless/static ≈ 1 MB", "artefacts of stage build ≈ 15 MB")
    assert estimate.size_mb == 16


def test_unknown_base_gives_no_size_but_still_layers() -> None:
    estimate = image_estimate(parse("FROM example.com/base:1\nRUN true\nCOPY a /a\n"))
    assert estimate.size_mb is None and estimate.layers == 2
    assert estimate.basis[0] == "base example.com/base:1 not in codi's size table"


def test_a_change_is_labelled_estimate_and_says_its_basis() -> None:
    before = parse("FROM python:3.12\nRUN pip install -r requirements.txt\nCOPY . /app\n")
    after = parse("FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . /app\n")
    estimate = estimate_change(before, after)
    assert estimate.label == "estimate"
    assert estimate.size_bytes_before == (370 + 60 + 30) * MB
    assert estimate.size_bytes_after == (45 + 60) * MB
    assert (estimate.layers_before, estimate.layers_after) == (2, 2)
    assert estimate.basis.startswith("before: base python:3.12 ≈ 370 MB; pip dependencies ≈ 60 MB")
    assert "after: base python:3.12-slim ≈ 45 MB; pip dependencies ≈ 60 MB." in estimate.basis
    assert estimate.size_delta_ratio is not None and estimate.size_delta_ratio < -0.7
