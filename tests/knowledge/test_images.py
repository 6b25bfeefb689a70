import pytest

from codi.pipeline.semantic import parse_image
from codi.knowledge.images import smaller_tag, toolchain_image


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("python:3.11", "3.11-slim"),
        ("python:3.11-bookworm", "3.11-slim-bookworm"),
        ("python", "slim"),
        ("node:18", "18-slim"),
        ("node:lts-bullseye", "lts-bullseye-slim"),
        ("ruby:3.2", "3.2-slim"),
        ("debian:bookworm", "bookworm-slim"),
        ("debian:12", "12-slim"),
        ("eclipse-temurin:17-jdk-jammy", "17-jre-jammy"),
        ("eclipse-temurin:21", "21-jre"),
        ("openjdk:11-jdk-slim", "11-jre-slim"),
        ("docker.io/library/python:3.12", "3.12-slim"),
        ("python:3.11-slim", None),
        ("python:3.11-alpine", None),
        ("openjdk:17", None),
        ("debian:latest", None),
        ("ghcr.io/acme/python:3", None),
    ],
)
def test_smaller_tag(image, expected):
    assert smaller_tag(parse_image(image)) == expected


def test_toolchain_images():
    assert toolchain_image(parse_image("golang:1.22")).stack == "go"
    assert toolchain_image(parse_image("mcr.microsoft.com/dotnet/sdk:8.0")).stack == "dotnet"
    assert toolchain_image(parse_image("mcr.microsoft.com/dotnet/aspnet:8.0")) is None
