import pytest

from codi.pipeline.shell import parse_script
from codi.knowledge.stacks import compile_step, dependency_step, is_build_helper_package, is_toolchain_package, requirement_files


def _cmd(text: str):
    return parse_script(text).commands[0]


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("pip install -r requirements.txt", "pip"),
        ("python -m pip install --requirement=req.txt", "pip"),
        ("npm ci", "npm"),
        ("npm install", "npm"),
        ("yarn", "yarn"),
        ("pnpm fetch", "pnpm"),
        ("go mod download", "go"),
        ("./mvnw -B dependency:go-offline", "maven"),
        ("cargo chef cook --release", "cargo"),
        ("dotnet publish -c Release", "dotnet"),
        ("dotnet publish --no-restore", None),
        ("pip install .", None),
        ("npm install -g pnpm", None),
        ("yarn add react", None),
    ],
)
def test_dependency_step(text, tool):
    found = dependency_step(_cmd(text))
    assert (found.name if found else None) == tool


def test_requirement_files():
    assert requirement_files(_cmd("pip install -r a.txt -rb.txt --requirement=c.txt")) == ["a.txt", "b.txt", "c.txt"]


@pytest.mark.parametrize(
    ("text", "stack"),
    [
        ("go build -o app .", "go"),
        ("go install ./cmd/app", "go"),
        ("go install golang.org/x/tools/gopls@latest", None),
        ("mvn clean package", "java"),
        ("gradle bootJar", "java"),
        ("gradle dependencies", None),
        ("make", "c"),
        ("make test", None),
        ("javac --version", None),
        ("yarn build", "node"),
        ("npm run lint", None),
    ],
)
def test_compile_step(text, stack):
    assert compile_step(_cmd(text)) == stack


def test_toolchain_packages():
    assert all(is_toolchain_package(name) for name in ("gcc", "libpq-dev", "openssl-devel", "gcc-12", "openjdk-17-jdk", "g++=4:12"))
    assert not any(is_toolchain_package(name) for name in ("libpq5", "make", "curl", "openjdk-17-jre"))
    assert is_build_helper_package("make") and not is_build_helper_package("gcc")
