"""Known official images: their smaller variants and approximate sizes.

A data table, used by CD2005 (fat base image where a slim/JRE variant of the
same tag exists) and CD2002 (toolchain image as the final base), and by the
optimiser for size estimates.

Sizes are approximate compressed (pull) sizes in MB of the linux/amd64 image
of a current version, as Docker Hub showed them in 2024, rounded. They
change with every release and differ between versions; use them to rank
suggestions and to say "about", never as exact figures.

Tag conventions differ per image, so each entry says how the smaller tag is
spelled:
- python, ruby, perl: `3.12` → `3.12-slim`, `3.12-bookworm` → `3.12-slim-bookworm`;
- node: `20` → `20-slim`, `20-bookworm` → `20-bookworm-slim`;
- debian: `bookworm` → `bookworm-slim`, `12` → `12-slim`;
- eclipse-temurin: `21`/`21-jdk` → `21-jre`, `21-jdk-noble` → `21-jre-noble`;
- openjdk (JRE tags exist for 8 and 11 only): `11`/`11-jdk` → `11-jre`.

Only tags that name a version (or `latest`/`lts`-style aliases) and at most
a Debian suite are recognised: anything else (`-alpine`, `-windowsservercore`,
`-slim` already, build-arg leftovers) is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codi.pipeline.semantic import ImageRef


@dataclass(frozen=True, slots=True)
class SmallerVariant:
    """An official image whose default tags have a smaller variant of the same version."""

    name: str
    """Repository as written in FROM (Docker Hub official images have no namespace)."""
    kind: str
    """`slim` (fewer OS packages) or `jre` (runtime without the compiler)."""
    full_mb: int
    small_mb: int


SMALLER_VARIANTS: dict[str, SmallerVariant] = {
    image.name: image
    for image in (
        SmallerVariant("python", "slim", 370, 45),
        SmallerVariant("node", "slim", 390, 70),
        SmallerVariant("ruby", "slim", 360, 65),
        SmallerVariant("perl", "slim", 340, 40),
        SmallerVariant("debian", "slim", 49, 28),
        SmallerVariant("eclipse-temurin", "jre", 200, 90),
        SmallerVariant("openjdk", "jre", 320, 120),
    )
}


@dataclass(frozen=True, slots=True)
class ToolchainImage:
    """An official image that carries a compiler/SDK: a build stage's base, not a runtime's."""

    name: str
    stack: str
    size_mb: int


TOOLCHAIN_IMAGES: dict[str, ToolchainImage] = {
    image.name: image
    for image in (
        ToolchainImage("golang", "go", 290),
        ToolchainImage("rust", "rust", 540),
        ToolchainImage("gcc", "c", 500),
        ToolchainImage("maven", "java", 260),
        ToolchainImage("gradle", "java", 380),
        ToolchainImage("mcr.microsoft.com/dotnet/sdk", "dotnet", 280),
        ToolchainImage("mcr.microsoft.com/dotnet/core/sdk", "dotnet", 280),
    )
}

_SUITES = "trixie|bookworm|bullseye|buster|stretch|jessie|sid"
_ALIASES = "latest|lts|current|stable|hydrogen|iron|jod|krypton"
_VERSION = rf"(?:\d[\w.]*?(?:-rc)?|{_ALIASES})"
_LANGUAGE_TAG = re.compile(rf"^(?P<version>{_VERSION})?(?:-(?P<suite>{_SUITES}))?$")
_DEBIAN_TAG = re.compile(rf"^(?:{_SUITES}|stable|oldstable|testing|unstable|\d+(?:\.\d+)?)(?:-\d{{8}})?$")
_TEMURIN_TAG = re.compile(r"^(?P<version>\d[\w.]*?)(?:-jdk)?(?P<os>-(?:jammy|focal|noble|ubi\d+-minimal|alpine))?$")
_OPENJDK_TAG = re.compile(
    r"^(?P<version>(?:8|11)(?:[\w.]*?))(?:-jdk)?(?P<os>-(?:slim|alpine|bullseye|buster|slim-bullseye|slim-buster))?$"
)


ARCHITECTURE_NAMESPACES = frozenset(
    {"amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "mips64le", "ppc64le", "riscv64", "s390x", "winamd64"}
)
"""Docker Hub namespaces that republish every official image for one architecture (`amd64/alpine:3.23` is
`alpine:3.23` for amd64, with the same tags)."""


def docker_hub_name(image: ImageRef) -> str | None:
    """The official-image name of a reference (`docker.io/library/python`, `amd64/python` → `python`)."""
    registry = image.registry
    repository = image.repository
    if registry in (None, "docker.io", "index.docker.io", "registry-1.docker.io"):
        namespace, slash, name = repository.partition("/")
        if slash and namespace in ARCHITECTURE_NAMESPACES and "/" not in name:
            return name
        return repository.removeprefix("library/")
    return image.name


def smaller_tag(image: ImageRef) -> str | None:
    """The slim/JRE tag of the same version, when the table knows one; None otherwise."""
    name = docker_hub_name(image)
    variant = SMALLER_VARIANTS.get(name or "")
    if variant is None or image.digest is not None:
        return None
    tag = image.tag or "latest"
    if name in ("python", "ruby", "perl", "node"):
        match = _LANGUAGE_TAG.match(tag)
        if match is None:
            return None
        version, suite = match.group("version"), match.group("suite")
        if version in (None, "latest"):
            version = None
        if suite is None:
            return f"{version}-slim" if version else "slim"
        if name == "node":
            return f"{version}-{suite}-slim" if version else f"{suite}-slim"
        return f"{version}-slim-{suite}" if version else f"slim-{suite}"
    if name == "debian":
        return f"{tag}-slim" if _DEBIAN_TAG.match(tag) else None
    if name == "eclipse-temurin":
        match = _TEMURIN_TAG.match(tag)
        return f"{match.group('version')}-jre{match.group('os') or ''}" if match else None
    if name == "openjdk":
        match = _OPENJDK_TAG.match(tag)
        return f"{match.group('version')}-jre{match.group('os') or ''}" if match else None
    return None


def toolchain_image(image: ImageRef) -> ToolchainImage | None:
    """The table entry when `image` is a compiler/SDK image."""
    return TOOLCHAIN_IMAGES.get(docker_hub_name(image) or "")


BASE_IMAGE_MB: dict[str, int] = {
    "scratch": 0,
    "busybox": 2,
    "alpine": 4,
    "ubuntu": 29,
    "centos": 70,
    "fedora": 60,
    "rockylinux": 70,
    "almalinux": 70,
    "amazonlinux": 60,
    "registry.access.redhat.com/ubi8/ubi-minimal": 38,
    "registry.access.redhat.com/ubi9/ubi-minimal": 38,
    "registry.access.redhat.com/ubi8/ubi": 80,
    "registry.access.redhat.com/ubi9/ubi": 80,
    "gcr.io/distroless/static": 1,
    "gcr.io/distroless/base": 10,
    "gcr.io/distroless/base-nossl": 8,
    "gcr.io/distroless/cc": 12,
    "gcr.io/distroless/java": 80,
    "gcr.io/distroless/java11": 75,
    "gcr.io/distroless/java17": 80,
    "gcr.io/distroless/java21": 85,
    "gcr.io/distroless/python3": 20,
    "gcr.io/distroless/nodejs": 40,
    "gcr.io/distroless/nodejs18": 40,
    "gcr.io/distroless/nodejs20": 40,
    "gcr.io/distroless/nodejs22": 42,
    "cgr.dev/chainguard/static": 1,
    "nginx": 70,
    "nginxinc/nginx-unprivileged": 70,
    "httpd": 60,
    "caddy": 20,
    "php": 180,
    "tomcat": 200,
    "mcr.microsoft.com/dotnet/runtime": 80,
    "mcr.microsoft.com/dotnet/aspnet": 90,
    "mcr.microsoft.com/dotnet/runtime-deps": 45,
}
"""Approximate compressed sizes (MB, linux/amd64, as registries showed them in 2024) of runtime,
distro and distroless images the tables above do not hold, for the optimiser's size estimates.
Distroless names are given without their `-debianNN` suffix."""

ALPINE_VARIANT_MB: dict[str, int] = {
    "python": 18,
    "node": 45,
    "ruby": 30,
    "perl": 20,
    "golang": 75,
    "rust": 300,
    "php": 35,
    "nginx": 20,
    "httpd": 25,
    "eclipse-temurin": 60,
    "openjdk": 100,
    "maven": 170,
    "gradle": 250,
}
"""Approximate compressed sizes (MB) of the `-alpine` tags of official images."""
