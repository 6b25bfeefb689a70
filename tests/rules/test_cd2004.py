from tests.rules.helpers import catches, catches_not, findings


def test_npm_cache():
    found = catches("CD2004", "FROM node:20\nRUN npm ci\n", count=1)
    assert found[0].message.startswith("npm cache left in the image")
    catches("CD2004", "FROM node:20\nRUN npm install -g pnpm\n")


def test_npm_cache_handled():
    catches_not("CD2004", "FROM node:20\nRUN npm ci && npm cache clean --force\n")
    catches_not("CD2004", "FROM node:20\nRUN --mount=type=cache,target=/root/.npm npm ci\n")
    catches_not("CD2004", "FROM node:20\nRUN npm ci && rm -rf /root/.npm\n")


def test_builder_stage_caches_do_not_ship():
    catches_not("CD2004", "FROM node:20 AS build\nRUN npm ci\nFROM nginx:1\nCOPY --from=build /app/dist /usr/share/nginx/html\n")


def test_yarn_install_is_dl3060s():
    catches_not("CD2004", "FROM node:20\nRUN yarn install\n")
    catches("CD2004", "FROM node:20\nRUN yarn global add serve\n")
    catches_not("CD2004", "FROM node:20\nRUN yarn && yarn cache clean\n")


def test_covered_by_hadolint_rules_are_not_repeated():
    for run in ("pip install flask", "apk add curl", "apt-get update && apt-get install -y curl", "yum install -y x",
                "dnf install -y x", "zypper install -y x"):
        catches_not("CD2004", f"FROM x:1\nRUN {run}\n")


def test_composer_and_uv():
    catches("CD2004", "FROM php:8\nRUN composer install\n")
    catches_not("CD2004", "FROM php:8\nRUN composer install --no-cache\n")
    catches_not("CD2004", "FROM php:8\nENV COMPOSER_CACHE_DIR=/dev/null\nRUN composer install\n")
    catches("CD2004", "FROM python:3.12-slim\nRUN uv sync --locked\n")
    catches_not("CD2004", "FROM python:3.12-slim\nRUN uv sync --locked --no-cache\n")
    catches_not("CD2004", "FROM python:3.12-slim\nENV UV_NO_CACHE=1\nRUN uv pip install -r r.txt\n")
    catches_not("CD2004", "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n")


def test_gem_documentation():
    found = catches("CD2004", "FROM debian:12\nRUN gem install fpm\n")
    assert "--no-document" in found[0].message
    catches_not("CD2004", "FROM debian:12\nRUN gem install --no-document fpm\n")
    catches_not("CD2004", "FROM ruby:3.3\nRUN gem install bundler\n")
    catches_not("CD2004", "ARG BASE\nFROM ${BASE}\nRUN gem install bundler\n")


def test_apt_archives_when_docker_clean_is_removed():
    text = "FROM debian:12\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN apt-get update && apt-get install -y curl\n"
    assert [f.line for f in findings("CD2004", text)] == [3]
    catches_not("CD2004", text.replace("curl\n", "curl && apt-get clean\n"))
    catches_not(
        "CD2004",
        text.replace("RUN apt-get", "RUN --mount=type=cache,target=/var/cache/apt apt-get"),
    )
    catches_not("CD2004", "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n")
