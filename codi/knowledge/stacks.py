"""Which build tools, dependency manifests and toolchain packages belong to which stack.

Pure data plus small classifiers over shell `Command`s, shared by the
optimisation rules (CD2001–CD2004, CD2007) and the optimiser's stack
detection. Nothing here looks at a Dockerfile as a whole: a classifier takes
one command and says what it is.

- `DEPENDENCY_TOOLS`: each package manager that installs a project's
  dependencies from manifest files, the files to copy before running it, and
  the cache directory a `RUN --mount=type=cache` keeps across builds.
- `dependency_step(cmd)`: the tool when `cmd` installs dependencies from
  manifests (`npm ci`, `pip install -r requirements.txt`, `go mod download`,
  `mvn package` …), else None. Installs of named packages (`npm install -g
  x`, `pip install flask`) and of the project itself (`pip install .`) are
  not dependency steps: they cannot run before the sources are copied.
- `compile_step(cmd)`: the stack when `cmd` compiles an application
  (`go build`, `cargo build`, `mvn package`, `gradle build`, `dotnet
  publish`, `gcc`, `make`, `npm run build` …), else None.
- `TOOLCHAIN_PACKAGES` / `is_toolchain_package(name)`: OS packages that only
  a build needs (compilers, `-dev`/`-devel` headers, SDKs);
  `BUILD_HELPER_PACKAGES` (`make`, `cmake` …) go with them but are also
  used at runtime by some tools.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codi.pipeline.shell import Command


@dataclass(frozen=True, slots=True)
class DependencyTool:
    """A package manager that installs a project's dependencies from manifests."""

    name: str
    stack: str
    manifests: tuple[str, ...]
    """Files to copy (and install from) before the rest of the sources."""
    cache_dirs: tuple[str, ...] = ()
    """Path fragments of its download cache, as a cache mount's target would name them."""
    compiles: bool = False
    """True when the dependency step is the build itself (`mvn package`, `cargo build`)."""


DEPENDENCY_TOOLS: dict[str, DependencyTool] = {
    tool.name: tool
    for tool in (
        DependencyTool("pip", "python", ("requirements.txt",), (".cache/pip",)),
        DependencyTool("pipenv", "python", ("Pipfile", "Pipfile.lock"), (".cache/pipenv",)),
        DependencyTool("poetry", "python", ("pyproject.toml", "poetry.lock"), (".cache/pypoetry",)),
        DependencyTool("uv", "python", ("pyproject.toml", "uv.lock"), (".cache/uv",)),
        DependencyTool("pdm", "python", ("pyproject.toml", "pdm.lock"), (".cache/pdm",)),
        DependencyTool("npm", "node", ("package.json", "package-lock.json"), (".npm",)),
        DependencyTool("yarn", "node", ("package.json", "yarn.lock"), (".cache/yarn", ".yarn")),
        DependencyTool("pnpm", "node", ("package.json", "pnpm-lock.yaml"), ("pnpm",)),
        DependencyTool("bun", "node", ("package.json", "bun.lockb"), (".bun",)),
        DependencyTool("go", "go", ("go.mod", "go.sum"), ("/go/pkg/mod", "go-build")),
        DependencyTool("maven", "java", ("pom.xml",), (".m2",), compiles=True),
        DependencyTool("gradle", "java", ("build.gradle", "settings.gradle"), (".gradle",), compiles=True),
        DependencyTool("bundler", "ruby", ("Gemfile", "Gemfile.lock"), ("bundle",)),
        DependencyTool("composer", "php", ("composer.json", "composer.lock"), ("composer",)),
        DependencyTool("cargo", "rust", ("Cargo.toml", "Cargo.lock"), ("cargo/registry", ".cargo"), compiles=True),
        DependencyTool("dotnet", "dotnet", ("*.csproj",), (".nuget",), compiles=True),
    )
}

_MAVEN = frozenset({"mvn", "mvnw"})
_GRADLE = frozenset({"gradle", "gradlew"})
_NODE_INSTALL = frozenset({"install", "i", "ci"})


def program(cmd: Command) -> str:
    """The command's program without its directory (`./mvnw` → `mvnw`)."""
    return cmd.name.rsplit("/", 1)[-1]


def command_summary(cmd: Command) -> str:
    """The program and its first two non-flag words, enough to recognise a step in a message."""
    return " ".join([cmd.name, *(word for word in cmd.values[:2] if not word.startswith("-"))])


def _positional(cmd: Command) -> list[str]:
    """Non-flag words, without bare numbers (the values of flags like `--network-timeout 600000`)."""
    return [word for word in cmd.args_no_flags() if not word.isdigit()]


def dependency_step(cmd: Command) -> DependencyTool | None:
    """The tool when `cmd` installs dependencies from manifest files, else None."""
    name = program(cmd)
    words = _positional(cmd)
    sub = words[0] if words else ""
    tool: str | None = None
    if cmd.is_pip_install() and cmd.has_any_flag("r", "requirement"):
        tool = "pip"
    elif name == "pipenv" and sub in ("install", "sync"):
        tool = "pipenv"
    elif name == "poetry" and sub == "install":
        tool = "poetry"
    elif name == "uv" and (sub == "sync" or (words[:2] == ["pip", "install"] and cmd.has_any_flag("r"))):
        tool = "uv"
    elif name == "pdm" and sub in ("install", "sync"):
        tool = "pdm"
    elif name in ("npm", "pnpm", "bun") and words == [sub] and sub in _NODE_INSTALL:
        tool = None if cmd.has_any_flag("g", "global") else name
    elif name == "pnpm" and sub == "fetch":
        tool = "pnpm"
    elif name == "yarn" and (not words or (sub == "install" and len(words) == 1)):
        tool = "yarn"
    elif name == "go" and words[:2] == ["mod", "download"]:
        tool = "go"
    elif name in _MAVEN and words:
        tool = "maven"
    elif name in _GRADLE and words:
        tool = "gradle"
    elif name == "bundle" and sub == "install":
        tool = "bundler"
    elif name == "composer" and sub == "install":
        tool = "composer"
    elif name == "cargo" and (
        sub in ("build", "fetch", "vendor")
        or words[:2] == ["chef", "cook"]
        or (sub == "install" and cmd.has_flag("path"))
    ):
        tool = "cargo"
    elif name == "dotnet" and (
        sub == "restore" or (sub in ("build", "publish", "test") and not cmd.has_flag("no-restore"))
    ):
        tool = "dotnet"
    return DEPENDENCY_TOOLS[tool] if tool else None


def requirement_files(cmd: Command) -> list[str]:
    """The files a `pip install -r X` reads (`-r X`, `-rX`, `--requirement X`, `--requirement=X`)."""
    values = cmd.values
    out = []
    for index, value in enumerate(values):
        if value in ("-r", "--requirement"):
            if index + 1 < len(values):
                out.append(values[index + 1])
        elif value.startswith("--requirement="):
            out.append(value.split("=", 1)[1])
        elif value.startswith("-r") and not value.startswith("--"):
            out.append(value[2:])
    return out


_GRADLE_BUILD_TASK = re.compile(r"(?i)(build|assemble|jar|war|installdist|disttar|distzip|nativecompile)$")
_MAVEN_BUILD_GOALS = frozenset({"compile", "package", "install", "verify", "deploy"})
_C_COMPILERS = frozenset({"gcc", "g++", "cc", "c++", "clang", "clang++", "javac", "rustc"})
_NODE_BUILD_SCRIPTS = frozenset({"build", "build:prod", "build:production", "generate", "export"})


def compile_step(cmd: Command) -> str | None:
    """The stack when `cmd` compiles an application or native code, else None.

    A compiler counts only with an input (`javac --version` checks an
    install); `make` counts only with a build target (none, `all`, `install`, or a
    `-j` job count): `make migrate` is a task runner, not a compile.
    """
    name = program(cmd)
    words = _positional(cmd)
    sub = words[0] if words else ""
    if name == "go" and (sub == "build" or (sub == "install" and not any("@" in w for w in words[1:]))):
        return "go"
    if name == "cargo" and (sub == "build" or (sub == "install" and cmd.has_flag("path"))):
        return "rust"
    if name in _MAVEN and any(w.rsplit(":", 1)[-1] in _MAVEN_BUILD_GOALS for w in words):
        return "java"
    if name in _GRADLE and any(_GRADLE_BUILD_TASK.search(w.rsplit(":", 1)[-1]) for w in words):
        return "java"
    if name == "dotnet" and sub in ("build", "publish"):
        return "dotnet"
    if name in _C_COMPILERS and words:
        return "c"
    if name == "configure" or (name == "cmake" and cmd.has_flag("build")):
        return "c"
    if name == "make" and _make_builds(cmd):
        return "c"
    if name in ("npm", "pnpm", "yarn", "bun") and _node_build(name, words):
        return "node"
    return None


def _make_builds(cmd: Command) -> bool:
    words = cmd.without_flag_values(("C", "f", "j", "l", "o", "W"))
    targets = [word for word in words if not word.startswith("-") and "=" not in word]
    return not targets or any(t in ("all", "install") for t in targets)


def _node_build(name: str, words: list[str]) -> bool:
    if words[:1] == ["run"] and len(words) > 1:
        return words[1] in _NODE_BUILD_SCRIPTS
    return name in ("yarn", "pnpm", "bun") and words[:1] == ["build"]


TOOLCHAIN_PACKAGES: frozenset[str] = frozenset(
    {
        # C/C++ compilers and libc headers
        "gcc", "g++", "gcc-c++", "clang", "build-essential", "build-base", "musl-dev", "libc-dev",
        "libc6-dev", "linux-headers", "kernel-headers", "glibc-devel",
        # Go, Rust, Java, .NET SDKs
        "go", "golang", "golang-go", "rust", "rustc", "cargo", "maven", "gradle",
        "default-jdk", "default-jdk-headless",
    }
)
"""Exact OS package names (apt, apk, dnf/yum) of compilers, headers and SDKs: only a build needs them."""

BUILD_HELPER_PACKAGES: frozenset[str] = frozenset(
    {
        "make", "cmake", "ninja", "ninja-build", "autoconf", "automake", "libtool", "pkg-config", "pkgconf",
        "binutils", "ant",
    }
)
"""Build helpers that some tools also run at runtime (composer runs `make`, jlink needs
`binutils`): named next to a toolchain, never reported alone."""

_TOOLCHAIN_PATTERNS = (
    re.compile(r".+-dev$"),  # Debian/Alpine headers: libpq-dev, python3-dev
    re.compile(r".+-devel$"),  # RPM headers: openssl-devel
    re.compile(r"^gcc-\d+$|^g\+\+-\d+$|^clang-\d+$"),
    re.compile(r"^openjdk-?\d+-jdk(-headless)?$|^openjdk\d+$|^java-[\d.]+-openjdk-devel$"),
    re.compile(r"^dotnet-sdk-[\d.]+$|^golang-[\d.]+(-go)?$"),
)


def is_toolchain_package(name: str) -> bool:
    """Whether an OS package name (version pin stripped) is a build-only toolchain package."""
    bare = _bare_package(name)
    return bare in TOOLCHAIN_PACKAGES or any(pattern.match(bare) for pattern in _TOOLCHAIN_PATTERNS)


def _bare_package(name: str) -> str:
    return re.split(r"[=<>~]", name, maxsplit=1)[0].lower()


def is_build_helper_package(name: str) -> bool:
    """Whether an OS package is a build helper (`make`, `cmake`, `pkg-config` …)."""
    return _bare_package(name) in BUILD_HELPER_PACKAGES
