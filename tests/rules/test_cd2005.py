from tests.rules.helpers import catches, catches_not, fixed


def test_python_slim():
    found = catches("CD2005", 'FROM python:3.12\nCMD ["python"]\n', count=1)
    assert "`python:3.12-slim`" in found[0].message
    assert found[0].fix is not None and found[0].fix.applicability.value == "unsafe"


def test_fix_is_unsafe_and_changes_the_tag():
    assert fixed("CD2005", "FROM python:3.12-bookworm AS app\n", unsafe=True) == "FROM python:3.12-slim-bookworm AS app\n"
    assert fixed("CD2005", "FROM --platform=linux/amd64 node:20\n", unsafe=True) == "FROM --platform=linux/amd64 node:20-slim\n"
    assert fixed("CD2005", "FROM debian:bookworm\n", unsafe=True) == "FROM debian:bookworm-slim\n"
    assert fixed("CD2005", "FROM python\n", unsafe=True) == "FROM python:slim\n"


def test_unsafe_fix_is_not_applied_by_default():
    assert fixed("CD2005", "FROM ruby:3.3\n") == "FROM ruby:3.3\n"
    assert fixed("CD2005", "FROM ruby:3.3\n", unsafe=True) == "FROM ruby:3.3-slim\n"


def test_already_small_or_unknown():
    for image in ("python:3.12-slim", "python:3.12-alpine", "node:20-bookworm-slim", "golang:1.22", "ubuntu:24.04",
                  "python:3.12@sha256:" + "a" * 64, "eclipse-temurin:21-jre", "ghcr.io/acme/python:3.12"):
        catches_not("CD2005", f"FROM {image}\n")


def test_only_the_final_image_base():
    catches_not("CD2005", "FROM python:3.12 AS build\nRUN pip wheel .\nFROM python:3.12-slim\n")
    catches("CD2005", "FROM python:3.12 AS base\nFROM alpine AS tools\nFROM base\n")


def test_arg_base_is_judged_on_its_default_without_fix():
    found = catches("CD2005", "ARG PY=3.11\nFROM python:${PY}\n")
    assert "`python:3.11-slim`" in found[0].message
    assert found[0].fix is None


def test_jdk_to_jre_only_when_java_runs_the_app():
    text = 'FROM eclipse-temurin:21-jdk-noble\nCOPY app.jar /app.jar\nENTRYPOINT ["java", "-jar", "/app.jar"]\n'
    assert fixed("CD2005", text, unsafe=True).startswith("FROM eclipse-temurin:21-jre-noble\n")
    catches_not("CD2005", 'FROM eclipse-temurin:21\nCMD ["catalina.sh", "run"]\n')
    catches_not("CD2005", 'FROM eclipse-temurin:21\nRUN javac Main.java\nCMD ["java", "Main"]\n')
