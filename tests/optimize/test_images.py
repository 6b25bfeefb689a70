"""The runtime-base tag table: only tags that exist upstream, None where there is none."""

from __future__ import annotations

import pytest

from codi.pipeline.optimize.images import runtime_image, slim_variant


@pytest.mark.parametrize(
    ("image", "slim"),
    [
        ("python:3.9", "python:3.9-slim"),
        ("python:3.11.7-bookworm", "python:3.11.7-slim-bookworm"),
        ("python", "python:slim"),
        ("python:latest", "python:slim"),
        ("docker.io/library/python:3.10", "docker.io/library/python:3.10-slim"),
        ("python:2.7", "python:2.7-slim"),
        ("node:16", "node:16-slim"),
        ("node:18-bullseye", "node:18-bullseye-slim"),
        ("node:lts", "node:lts-slim"),
        ("ruby:3.2", "ruby:3.2-slim"),
        ("ruby:3.2-bookworm", "ruby:3.2-slim-bookworm"),
        ("rust:1.75", "rust:1.75-slim"),
        ("debian:bookworm", "debian:bookworm-slim"),
        ("debian:12", "debian:12-slim"),
        ("debian:bullseye-20240110", "debian:bullseye-20240110-slim"),
        ("eclipse-temurin:17", "eclipse-temurin:17-jre"),
        ("eclipse-temurin:21-jdk-alpine", "eclipse-temurin:21-jre-alpine"),
        ("eclipse-temurin:21-jdk-noble", "eclipse-temurin:21-jre-noble"),
        ("openjdk:11", "eclipse-temurin:11-jre"),
        ("openjdk:8-jdk-alpine", "eclipse-temurin:8-jre-alpine"),
        ("openjdk:17-jdk-slim", "eclipse-temurin:17-jre"),
        ("maven:3.9.6-eclipse-temurin-17", "eclipse-temurin:17-jre"),
        ("maven:3.8-openjdk-11-slim", "eclipse-temurin:11-jre"),
        ("maven:3-jdk-8", "eclipse-temurin:8-jre"),
        ("gradle:8.5-jdk21-alpine", "eclipse-temurin:21-jre-alpine"),
        ("gradle:jdk17", "eclipse-temurin:17-jre"),
        ("mcr.microsoft.com/dotnet/sdk:8.0", "mcr.microsoft.com/dotnet/aspnet:8.0"),
        ("mcr.microsoft.com/dotnet/sdk:6.0.100-bookworm-slim", "mcr.microsoft.com/dotnet/aspnet:6.0-bookworm-slim"),
    ],
)
def test_the_slim_variant_of_the_same_family_and_version(image: str, slim: str) -> None:
    assert slim_variant(image) == slim


@pytest.mark.parametrize(
    "image",
    [
        "python:3.9-slim",
        "python:3.11-alpine",
        "python:3.9-windowsservercore",
        "python:${PYTHON_VERSION}",
        "python:3.11@sha256:" + "a" * 64,
        "node:16-alpine",
        "node:0.10",
        "ubuntu:22.04",
        "alpine:3.19",
        "nginx:1.25",
        "postgres:16",
        "php:8.2-apache",
        "golang:1.21",
        "eclipse-temurin:17-jre",
        "eclipse-temurin:16",
        "openjdk:19",
        "maven:3-amazoncorretto-17",
        "gradle:latest",
        "debian:latest",
        "mcr.microsoft.com/dotnet/aspnet:8.0",
    ],
)
def test_no_slim_variant_where_none_is_published(image: str) -> None:
    assert slim_variant(image) is None


@pytest.mark.parametrize(
    ("builder", "stack", "strategy", "cgo", "runtime"),
    [
        ("python:3.9", "python", "multi-stage", False, "python:3.9-slim"),
        ("python:3.11-slim", "python", "multi-stage", False, "python:3.11-slim"),
        ("python:3.11-alpine3.19", "python", "multi-stage", False, "python:3.11-alpine3.19"),
        ("python:3.11", "python", "minimal", False, "gcr.io/distroless/python3-debian12"),
        ("python:3.9-bullseye", "python", "minimal", False, "gcr.io/distroless/python3-debian11"),
        ("node:16", "node", "multi-stage", False, "node:16-slim"),
        ("node:20", "node", "minimal", False, "gcr.io/distroless/nodejs20-debian12"),
        ("node:16-bullseye", "node", "minimal", False, "gcr.io/distroless/nodejs16-debian11"),
        ("golang:1.21", "go", "minimal", False, "gcr.io/distroless/static-debian12"),
        ("golang:1.21-bullseye", "go", "minimal", True, "gcr.io/distroless/base-debian11"),
        ("golang:1.21-alpine3.19", "go", "multi-stage", False, "alpine:3.19"),
        ("golang:1.19", "go", "multi-stage", True, "debian:bookworm-slim"),
        ("golang:1.21-alpine", "go", "minimal", False, "gcr.io/distroless/static-debian12"),
        ("rust:1.75", "rust", "minimal", False, "gcr.io/distroless/cc-debian12"),
        ("rust:1.75-slim-bullseye", "rust", "multi-stage", False, "debian:bullseye-slim"),
        ("maven:3.9-eclipse-temurin-17", "java", "multi-stage", False, "eclipse-temurin:17-jre"),
        ("maven:3.9-eclipse-temurin-17", "java", "minimal", False, "gcr.io/distroless/java17-debian12"),
        ("maven:3-openjdk-11", "java", "minimal", False, "gcr.io/distroless/java11-debian11"),
        ("gradle:8-jdk21", "java", "multi-stage", False, "eclipse-temurin:21-jre"),
        ("ruby:3.2", "ruby", "multi-stage", False, "ruby:3.2-slim"),
        ("php:8.2-apache", "php", "multi-stage", False, "php:8.2-apache"),
        ("mcr.microsoft.com/dotnet/sdk:8.0", "dotnet", "multi-stage", False, "mcr.microsoft.com/dotnet/aspnet:8.0"),
        (
            "mcr.microsoft.com/dotnet/sdk:8.0",
            "dotnet",
            "minimal",
            False,
            "mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled",
        ),
        ("debian:bookworm", "generic", "slim", False, "debian:bookworm-slim"),
    ],
)
def test_the_runtime_image_of_a_builder(builder: str, stack: str, strategy: str, cgo: bool, runtime: str) -> None:
    assert runtime_image(builder, stack, strategy, cgo=cgo) == runtime


@pytest.mark.parametrize(
    ("builder", "stack", "strategy"),
    [
        ("python:3.10", "python", "minimal"),
        ("python:3.9", "python", "minimal"),
        ("python:3.11-alpine", "python", "minimal"),
        ("node:14", "node", "minimal"),
        ("node:lts", "node", "minimal"),
        ("node:20-alpine", "node", "minimal"),
        ("ruby:3.2", "ruby", "minimal"),
        ("php:8.2-fpm", "php", "minimal"),
        ("golang:1.21-alpine", "go", "minimal"),
        ("maven:3-amazoncorretto-17", "java", "multi-stage"),
        ("openjdk:8", "java", "minimal"),
        ("ubuntu:22.04", "python", "multi-stage"),
        ("python:${VERSION}", "python", "multi-stage"),
        ("python:3.11", "python", "fixes"),
    ],
)
def test_no_runtime_image_where_none_exists(builder: str, stack: str, strategy: str) -> None:
    assert runtime_image(builder, stack, strategy, cgo=builder.startswith("golang")) is None
