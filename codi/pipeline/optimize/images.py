"""Which runtime image a candidate may move to: the official images' tag patterns, as a table.

A candidate may only name a tag that exists upstream. This module knows how
the official images spell their tags and which smaller variants exist for
which versions (docs/runtime-images.md has the table with its sources):

- `slim_variant(image)`: the slim variant of the same repository, tag family
  and version (`python:3.9` → `python:3.9-slim`, `node:16-bullseye` →
  `node:16-bullseye-slim`, `debian:bookworm` → `debian:bookworm-slim`), or the
  JRE of the same Java version for a JDK/Maven/Gradle image
  (`maven:3.9-eclipse-temurin-17` → `eclipse-temurin:17-jre`), or the .NET
  runtime of an SDK image; None when there is none (alpine tags, images
  without a slim variant such as ubuntu, nginx, postgres, php, golang).
- `runtime_image(builder, stack, strategy, cgo=)`: the image the runtime stage
  of a `multi-stage`, `minimal` or `slim` candidate starts from, given the
  builder's base image as written.

Both return None for what cannot be known from the text: a tag with a
variable, a digest (the digest of another tag is not known), a version the
variant was never published for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codi.knowledge.images import docker_hub_name
from codi.pipeline.semantic import ImageRef, parse_image

DEFAULT_SUITE = "bookworm"
"""The Debian suite of the official images' tags that name none (current versions)."""
DEFAULT_ALPINE = "3.20"
"""The Alpine release a runtime gets when the builder's `-alpine` tag names none."""

DEBIAN_SUITES = ("jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "sid")
DEBIAN_NUMBER = {"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13"}
"""Debian suite → release number (distroless tags say `-debian12`)."""
_SUITE = "|".join(DEBIAN_SUITES)


@dataclass(frozen=True, slots=True)
class SlimScheme:
    """How one official repository spells the slim tag of a version (and since which version it has one)."""

    repository: str
    version: str
    """Regex of the version part of a tag (aliases such as `latest`, `lts` included)."""
    slim_before_suite: bool
    """`3.9-slim-bookworm` (python, ruby, perl, rust) rather than `16-bookworm-slim` (node, debian)."""
    since: tuple[int, ...]
    """The first version with a slim tag (numeric versions below it have none)."""


_NUMERIC = r"\d+(?:\.\d+){0,2}(?:(?:a|b|rc)\d+)?"
SLIM_SCHEMES: dict[str, SlimScheme] = {
    scheme.repository: scheme
    for scheme in (
        SlimScheme("python", rf"{_NUMERIC}|latest", True, (2, 7)),
        SlimScheme("ruby", rf"{_NUMERIC}|latest", True, (2, 1)),
        SlimScheme("perl", rf"{_NUMERIC}|latest|stable|threaded", True, (5, 22)),
        SlimScheme("rust", rf"{_NUMERIC}|latest", True, (1, 23)),
        SlimScheme(
            "node",
            rf"{_NUMERIC}|latest|lts|current|argon|boron|carbon|dubnium|erbium|fermium|gallium|hydrogen|iron|jod"
            r"|krypton",
            False,
            (4,),
        ),
    )
}
"""Official language images with a `-slim` tag for every version and Debian suite they publish."""

JRE_VERSIONS = frozenset({8, 11, 17, 21, 25})
"""Java versions eclipse-temurin publishes `-jre` tags for (the LTS releases), Debian/Ubuntu and alpine."""
_ALPINE_JRE_VERSIONS = frozenset({8, 11, 17, 21})

DISTROLESS: dict[str, frozenset[str]] = {
    "static": frozenset({"11", "12", "13"}),
    "base": frozenset({"11", "12", "13"}),
    "base-nossl": frozenset({"11", "12", "13"}),
    "cc": frozenset({"11", "12", "13"}),
    "python3": frozenset({"11", "12"}),
    "nodejs16": frozenset({"11"}),
    "nodejs18": frozenset({"11", "12"}),
    "nodejs20": frozenset({"11", "12"}),
    "nodejs22": frozenset({"12"}),
    "java11": frozenset({"11"}),
    "java17": frozenset({"11", "12"}),
    "java21": frozenset({"12"}),
}
"""gcr.io/distroless/<image>-debian<N>: the Debian releases each image was published for."""
DISTROLESS_PYTHON = {"11": "3.9", "12": "3.11"}
"""The Python version of gcr.io/distroless/python3 per Debian release (the builder's must match)."""

_DEBIAN_TAG = re.compile(rf"^(?:{_SUITE}|stable|oldstable|testing|unstable|\d+(?:\.\d+)?)(?:-\d{{8}})?$")
_TEMURIN_TAG = re.compile(
    r"^(?P<version>(?P<major>\d+)(?:[.u][\w.+-]*?)?)(?:-jdk)?(?:-(?P<os>jammy|focal|noble|alpine))?$"
)
_OPENJDK_TAG = re.compile(r"^(?P<major>\d+)(?:[.u][\w.+-]*?)?(?:-(?:jdk|ea))?(?P<rest>(?:-[a-z\d.]+)*)$")
_MAVEN_JAVA = re.compile(r"(?:^|-)(?:eclipse-temurin|temurin|openjdk|jdk)-(?P<major>\d+)(?P<rest>(?:-[a-z\d.]+)*)$")
_GRADLE_JAVA = re.compile(r"(?:^|-)jdk(?P<major>\d+)(?P<rest>(?:-[a-z\d.]+)*)$")
_JAVA_OS = frozenset({"", "-alpine", "-jammy", "-focal", "-noble", "-slim", "-bullseye", "-buster", "-bookworm"})
"""Tag tails of JDK images whose JRE is eclipse-temurin's (vendors such as corretto or graal have none)."""
_DOTNET_TAG = re.compile(r"^(?P<major>\d+)\.(?P<minor>\d+)(?:\.\d+)?(?P<rest>(?:-[a-z\d.]+)*)$")
_DOTNET_REPOSITORIES = ("mcr.microsoft.com/dotnet/", "mcr.microsoft.com/dotnet/core/")
_ALPINE_RELEASE = re.compile(r"alpine(\d+\.\d+)")


def _version(text: str) -> tuple[int, ...] | None:
    numbers = re.match(r"\d+(?:\.\d+)*", text)
    return tuple(int(part) for part in numbers.group(0).split(".")) if numbers else None


def _known(image_as_written: str) -> ImageRef | None:
    """The parsed reference when its tag can be reasoned about (no variable, no digest)."""
    if "$" in image_as_written or "@" in image_as_written or not image_as_written:
        return None
    return parse_image(image_as_written)


def _with_tag(image_as_written: str, tag: str) -> str:
    """The reference as written with another tag (registry and repository spelled as they were)."""
    image = parse_image(image_as_written)
    return f"{image.name}:{tag}"


def _suite_of(tag: str) -> str | None:
    match = re.search(rf"(?:^|-)({_SUITE})(?:-|$)", tag)
    return match.group(1) if match else None


def slim_variant(image_as_written: str) -> str | None:
    """The slim/JRE/runtime variant of the same image family and version, as an image reference; or None."""
    image = _known(image_as_written)
    if image is None:
        return None
    name = docker_hub_name(image) or ""
    tag = image.tag or "latest"
    scheme = SLIM_SCHEMES.get(name)
    if scheme is not None:
        return _language_slim(image_as_written, scheme, tag)
    if name == "debian":
        return _with_tag(image_as_written, f"{tag}-slim") if _DEBIAN_TAG.match(tag) else None
    java = _java_major(name, tag)
    if java is not None:
        return _jre(*java)
    if image.name.startswith(_DOTNET_REPOSITORIES) and image.name.endswith("/sdk"):
        return _dotnet_runtime(image.name, tag, minimal=False)
    return None


def _language_slim(image_as_written: str, scheme: SlimScheme, tag: str) -> str | None:
    match = re.fullmatch(rf"(?P<version>{scheme.version})?(?:-(?P<suite>{_SUITE}))?", tag)
    if match is None:
        return None
    version, suite = match.group("version"), match.group("suite")
    numbers = _version(version or "")
    if numbers is not None and numbers[: len(scheme.since)] < scheme.since:
        return None
    parts = [] if version in (None, "latest") else [version]
    if suite is None:
        parts.append("slim")
    elif scheme.slim_before_suite:
        parts.extend(("slim", suite))
    else:
        parts.extend((suite, "slim"))
    return _with_tag(image_as_written, "-".join(parts))


def _java_major(name: str, tag: str) -> tuple[int, str] | None:
    """(Java version, OS tag: `alpine`, `noble` … or "") of a JDK, Maven or Gradle image whose JRE is eclipse-temurin's; else None."""
    if name == "eclipse-temurin":
        match = _TEMURIN_TAG.match(tag)
        return (int(match.group("major")), match.group("os") or "") if match else None
    pattern = {"openjdk": _OPENJDK_TAG, "maven": _MAVEN_JAVA, "gradle": _GRADLE_JAVA}.get(name)
    match = pattern.search(tag) if pattern is not None else None
    if match is None or "jre" in tag:
        return None
    rest = match.group("rest")
    os = "-alpine" if rest.startswith("-alpine") else rest
    if os not in _JAVA_OS:
        return None
    return int(match.group("major")), "alpine" if os == "-alpine" else ""


def _jre(major: int, os: str) -> str | None:
    """eclipse-temurin's JRE of a Java version, on the OS the JDK tag named (Ubuntu's default when none)."""
    versions = _ALPINE_JRE_VERSIONS if os == "alpine" else JRE_VERSIONS
    if major not in versions:
        return None
    return f"eclipse-temurin:{major}-jre{'-' + os if os else ''}"


def _dotnet_runtime(sdk: str, tag: str, *, minimal: bool) -> str | None:
    """aspnet of the SDK's .NET version (a superset of `runtime`, so web and console apps both run)."""
    match = _DOTNET_TAG.match(tag)
    if match is None:
        return None
    version = f"{match.group('major')}.{match.group('minor')}"
    repository = sdk.removesuffix("/sdk") + "/aspnet"
    if minimal:
        chiseled = {"6.0": "jammy", "7.0": "jammy", "8.0": "jammy", "9.0": "noble"}.get(version)
        return f"{repository}:{version}-{chiseled}-chiseled" if chiseled and not match.group("rest") else None
    return f"{repository}:{version}{match.group('rest')}"


def runtime_image(builder_image: str, stack: str, strategy: str, *, cgo: bool = False) -> str | None:
    """The runtime stage's base for a builder on `builder_image` (as written), or None when none exists.

    `strategy` is `slim` (the slim variant of the same image), `multi-stage`
    (a runtime of the same distribution family with a shell and package
    manager) or `minimal` (distroless); `cgo` says a Go program links libc.
    """
    image = _known(builder_image)
    if image is None:
        return None
    if strategy == "slim":
        return slim_variant(builder_image)
    if strategy not in ("multi-stage", "minimal"):
        return None
    name = docker_hub_name(image) or ""
    tag = image.tag or "latest"
    alpine = "alpine" in tag
    if stack in ("go", "rust"):
        return _compiled_runtime(stack, tag, strategy, cgo)
    if stack == "dotnet" and image.name.startswith(_DOTNET_REPOSITORIES) and image.name.endswith("/sdk"):
        return _dotnet_runtime(image.name, tag, minimal=strategy == "minimal")
    if stack == "java":
        java = _java_major(name, tag)
        if java is None:
            return None
        if strategy == "multi-stage":
            return _jre(*java)
        return _distroless(f"java{java[0]}", "12") or _distroless(f"java{java[0]}", "11")
    if name != stack and not (stack == "php" and name == "php"):
        return None
    if strategy == "multi-stage":
        if alpine or stack == "php":
            return builder_image
        return slim_variant(builder_image) or (builder_image if "slim" in tag else None)
    if alpine:
        return None
    return _interpreted_minimal(stack, tag)


def _debian_release(tag: str) -> str | None:
    """The Debian release number a builder's tag is on (the default suite when it names none)."""
    return DEBIAN_NUMBER.get(_suite_of(tag) or DEFAULT_SUITE)


def _distroless(image: str, release: str | None) -> str | None:
    if release is None or release not in DISTROLESS.get(image, frozenset()):
        return None
    return f"gcr.io/distroless/{image}-debian{release}"


def _compiled_runtime(stack: str, tag: str, strategy: str, cgo: bool) -> str | None:
    """A Go or Rust program's runtime: the builder's Debian suite or Alpine release, or distroless."""
    alpine = "alpine" in tag
    if strategy == "multi-stage":
        if alpine:
            release = _ALPINE_RELEASE.search(tag)
            return f"alpine:{release.group(1) if release else DEFAULT_ALPINE}"
        return f"debian:{_suite_of(tag) or DEFAULT_SUITE}-slim"
    if stack == "go" and not cgo:
        return _distroless("static", "12" if alpine else _debian_release(tag))
    if alpine:
        return None
    release = _debian_release(tag)
    if release == "10":
        release = "11"
    return _distroless("base" if stack == "go" else "cc", release)


def _interpreted_minimal(stack: str, tag: str) -> str | None:
    """Distroless python3/nodejs whose interpreter version and Debian release match the builder's."""
    suite = _suite_of(tag)
    version = re.match(r"\d+(?:\.\d+)?", tag)
    if version is None:
        return None
    if stack == "python":
        for release, python in DISTROLESS_PYTHON.items():
            if version.group(0) == python and (suite == _suite_for(release) or (suite is None and release == "12")):
                return _distroless("python3", release)
        return None
    if stack == "node":
        major = version.group(0).split(".")[0]
        release = "11" if suite == "bullseye" else "12" if suite in (None, "bookworm") else None
        return _distroless(f"nodejs{major}", release)
    return None


def _suite_for(release: str) -> str:
    return next(suite for suite, number in DEBIAN_NUMBER.items() if number == release)


ROOT_IMAGES = frozenset(
    {
        "python", "node", "ruby", "perl", "golang", "rust", "gcc", "openjdk", "eclipse-temurin", "amazoncorretto",
        "maven", "gradle", "buildpack-deps", "debian", "ubuntu", "alpine", "busybox", "centos", "fedora",
        "rockylinux", "almalinux", "amazonlinux", "php", "nginx", "httpd", "caddy", "microsoft/dotnet",
    }
)  # fmt: skip
"""Official images that run as root and have a shell with a user-adding tool (none sets a USER). The servers
among them (php's apache and fpm, nginx, httpd, caddy) start as root by design; the start command decides
whether a user is added (`slim.ROOT_DAEMONS`)."""
BUSYBOX_IMAGES = frozenset({"alpine", "busybox", "caddy"})
"""Root images whose every tag has BusyBox's `adduser` (caddy is built on alpine only)."""
_DOTNET_CHISELED = re.compile(r"chiseled|distroless|nanoserver|windowsservercore")


_ASPNET_TAG = re.compile(r"^(?P<major>\d+)\.\d+")


def default_port(image_as_written: str) -> int | None:
    """The port an official server image makes its application listen on when the Dockerfile says nothing:
    ASP.NET Core images before .NET 8 set `ASPNETCORE_URLS=http://+:80` (8.0 and later listen on 8080); None
    when the image sets none codi knows."""
    image = _known(image_as_written)
    if image is None:
        return None
    tag = image.tag or "latest"
    aspnet = image.name.startswith(_DOTNET_REPOSITORIES) and image.name.endswith("/aspnet")
    if not aspnet and not (image.name == "microsoft/dotnet" and "aspnetcore" in tag):
        return None
    match = _ASPNET_TAG.match(tag)
    return 80 if match is not None and int(match.group("major")) < 8 else 8080 if match is not None else None


def account_tool(image_as_written: str) -> str | None:
    """How the image, whose default user is root, creates an account: `useradd` (Debian, Ubuntu, RHEL
    families), `adduser` (Alpine, BusyBox), "" when it has no shell (scratch, distroless without `:nonroot`);
    None when codi does not know that it runs as root (a variable, an unlisted or non-root image)."""
    if "$" in image_as_written or not image_as_written:
        return None
    image = parse_image(image_as_written)
    tag = image.tag or "latest"
    if image.is_scratch:
        return ""
    if image.name.startswith("gcr.io/distroless/"):
        return None if "nonroot" in tag else ""
    name = docker_hub_name(image) or ""
    dotnet = image.name.startswith(_DOTNET_REPOSITORIES) and not _DOTNET_CHISELED.search(tag)
    if name not in ROOT_IMAGES and not dotnet:
        return None
    if "windowsservercore" in tag or "nanoserver" in tag:
        return None
    return "adduser" if name in BUSYBOX_IMAGES or "alpine" in tag else "useradd"
