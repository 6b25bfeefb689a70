"""Stack detection: each stack from the Dockerfile alone and from its build context, and the topology."""

from __future__ import annotations

import pytest

from codi.pipeline.parser import parse
from codi.pipeline.optimize.stack import detect_stack

DOCKERFILES = {
    "python": "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    'COPY . .\nCMD ["gunicorn", "app:app"]\n',
    "node": "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n"
    'CMD ["node", "server.js"]\n',
    "go": "FROM golang:1.22 AS build\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
    'RUN go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT ["/app"]\n',
    "java": "FROM maven:3.9-eclipse-temurin-21 AS build\nCOPY pom.xml .\nRUN mvn package\n"
    'FROM eclipse-temurin:21-jre\nCOPY --from=build /target/app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n',
    "rust": "FROM rust:1.80 AS build\nCOPY Cargo.toml Cargo.lock ./\nRUN cargo build --release\n"
    'FROM debian:bookworm-slim\nCOPY --from=build /target/release/app /usr/local/bin/app\nCMD ["app"]\n',
    "ruby": "FROM ruby:3.3\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\nCOPY . .\n"
    'CMD ["bundle", "exec", "rails", "server"]\n',
    "php": "FROM php:8.3-apache\nRUN docker-php-ext-install pdo_mysql\nCOPY composer.json .\n"
    "COPY --from=composer:2 /usr/bin/composer /usr/bin/composer\nRUN composer install\n",
    "dotnet": "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nCOPY app.csproj .\nRUN dotnet restore\n"
    "RUN dotnet publish -o /out\nFROM mcr.microsoft.com/dotnet/aspnet:8.0\nCOPY --from=build /out /app\n"
    'ENTRYPOINT ["dotnet", "/app/app.dll"]\n',
    "static": "FROM node:20 AS build\nCOPY package.json .\nRUN npm ci\nRUN npm run build\n"
    "FROM nginx:1.27-alpine\nCOPY --from=build /dist /usr/share/nginx/html\n",
    "generic": 'FROM alpine:3.20\nRUN apk add --no-cache redis\nCMD ["redis-server"]\n',
}

# The same stacks seen only through a bare Dockerfile and the build context's manifests.
BARE = "FROM ubuntu:24.04\nCOPY . /app\nCMD [\"/app/run\"]\n"
CONTEXTS = {
    "python": frozenset({"pyproject.toml", "uv.lock", "src/app.py"}),
    "node": frozenset({"package.json", "pnpm-lock.yaml"}),
    "go": frozenset({"go.mod", "main.go"}),
    "java": frozenset({"build.gradle.kts", "settings.gradle.kts"}),
    "rust": frozenset({"Cargo.toml"}),
    "ruby": frozenset({"Gemfile"}),
    "php": frozenset({"composer.json"}),
    "dotnet": frozenset({"Api.sln", "src/Api/Api.csproj"}),
}


@pytest.mark.parametrize("stack", sorted(DOCKERFILES))
def test_stack_from_instructions(stack):
    report = detect_stack(DOCKERFILES[stack])
    assert report.stack == stack
    assert 0 < report.confidence <= 1
    assert all(item.line is not None for item in report.evidence)


@pytest.mark.parametrize("stack", sorted(CONTEXTS))
def test_stack_from_context_files(stack):
    assert detect_stack(BARE).stack == "generic"
    report = detect_stack(BARE, CONTEXTS[stack])
    assert report.stack == stack
    assert report.confidence == 1.0
    assert all(item.line is None and "build context has" in item.what for item in report.evidence)


def test_context_contents_mapping_is_accepted_and_agrees_with_names():
    files = {"go.mod": "module x\n", "main.go": "package main\n"}
    assert detect_stack(BARE, files) == detect_stack(BARE, frozenset(files))


def test_context_confirms_the_instructions():
    without = detect_stack(DOCKERFILES["python"])
    with_context = detect_stack(DOCKERFILES["python"], {"requirements.txt": "flask\n"})
    assert with_context.stack == "python"
    assert len(with_context.evidence) == len(without.evidence) + 1


def test_no_evidence_is_generic_with_zero_confidence():
    report = detect_stack("FROM alpine:3.20\nRUN echo hi\n")
    assert (report.stack, report.confidence, report.evidence) == ("generic", 0.0, ())


def test_native_build_is_generic():
    text = "FROM debian:12\nRUN apt-get install -y build-essential cmake && cmake -S . -B b && cmake --build b\n"
    assert detect_stack(text).stack == "generic"


def test_nginx_without_site_files_is_generic_and_with_them_static():
    assert detect_stack('FROM nginx:1.27\nCMD ["nginx", "-g", "daemon off;"]\n').stack == "generic"
    assert detect_stack("FROM nginx:1.27\nCOPY public/ /usr/share/nginx/html/\n").stack == "static"


def test_runtime_outweighs_builder():
    """A node front-end builder feeding a Python runtime is a Python image."""
    text = (
        "FROM node:20 AS assets\nCOPY package.json .\nRUN npm ci\nRUN npm run build\n"
        "FROM python:3.12-slim\nCOPY --from=assets /dist /app/static\nCOPY requirements.txt .\n"
        'RUN pip install -r requirements.txt\nCMD ["python", "-m", "app"]\n'
    )
    assert detect_stack(text).stack == "python"


def test_entrypoint_script_defers_to_cmd_but_exec_entrypoint_does_not():
    with_script = 'FROM debian:12\nENTRYPOINT ["docker-entrypoint.sh"]\nCMD ["node"]\n'
    with_binary = 'FROM debian:12\nENTRYPOINT ["/bin/ollama"]\nCMD ["serve"]\n'
    assert detect_stack(with_script).stack == "node"
    assert detect_stack(with_binary).stack == "generic"


def test_shell_form_start_is_judged_by_its_foreground_command():
    text = "FROM debian:12\nCMD redis-server --daemonize yes && exec python app.py\n"
    assert any(item.what == "starts python" for item in detect_stack(text).evidence)


def test_topology_roles_and_port():
    text = (
        "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
        "FROM build AS test\nRUN go test ./...\n"
        "FROM alpine:3.20 AS base\nEXPOSE 8080/tcp 9090\n"
        "FROM base\nCOPY --from=build /app /app\n"
    )
    report = detect_stack(parse(text))
    assert report.multistage and report.runtime_stage == 3
    assert [(s.name, s.role) for s in report.stages] == [
        ("build", "builder"), ("test", "other"), ("base", "builder"), ("3", "runtime"),
    ]  # fmt: skip
    assert report.stages[0].base_image == "golang:1.22"
    assert report.app_port == 8080
    assert report.stack == "go"


def test_single_stage_and_deterministic():
    report = detect_stack(DOCKERFILES["ruby"])
    assert not report.multistage and report.runtime_stage == 0 and report.stages[0].role == "runtime"
    assert detect_stack(DOCKERFILES["ruby"]) == report
