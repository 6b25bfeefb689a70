from tests.rules.helpers import catches, catches_not, lines

_BUILD = "FROM golang:1.22 AS build\nRUN go build -o /app .\n"


def test_dev_packages_in_final_stage():
    found = catches(
        "CD2002",
        _BUILD + "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y gcc make libpq-dev curl\nCMD [\"/app\"]\n",
        count=1,
    )
    assert found[0].line == 4
    assert "gcc, make, libpq-dev" in found[0].message


def test_builder_stage_is_not_checked():
    catches_not("CD2002", "FROM debian:12 AS build\nRUN apt-get install -y gcc\nFROM debian:12-slim\nCMD [\"/app\"]\n")


def test_removed_packages_do_not_count():
    catches_not(
        "CD2002",
        _BUILD + "FROM alpine:3\nRUN apk add --virtual .build gcc musl-dev && make && apk del .build\nCMD [\"/app\"]\n",
    )
    catches_not(
        "CD2002",
        _BUILD + "FROM debian:12\nRUN apt-get install -y gcc && gcc x.c && apt-get purge -y gcc\nCMD [\"/app\"]\n",
    )
    catches_not(
        "CD2002",
        _BUILD
        + "FROM debian:12\nRUN apt-get install -y gcc libc6-dev && apt-mark auto '.*' && "
        "apt-get purge -y --auto-remove\nCMD [\"/app\"]\n",
    )


def test_build_helpers_alone_are_not_reported():
    catches_not("CD2002", _BUILD + "FROM php:8-alpine\nRUN apk add --no-cache make git\nCMD [\"composer\"]\n")


def test_variables_are_expanded():
    catches("CD2002", _BUILD + 'FROM debian:12\nARG DEPS="build-essential"\nRUN apt-get install -y $DEPS\nCMD ["/app"]\n')


def test_images_without_application_are_tool_images():
    catches_not("CD2002", _BUILD + "FROM debian:12\nRUN apt-get install -y gcc\n")
    catches_not("CD2002", _BUILD + 'FROM debian:12\nRUN apt-get install -y gcc\nCMD ["bash"]\n')
    catches_not("CD2002", _BUILD + "FROM debian:12\nRUN apt-get install -y gcc\nCMD tail -f /dev/null\n")


def test_sdk_image_as_final_base_that_still_compiles():
    text = "FROM alpine AS assets\nFROM golang:1.22 AS final\nRUN go build -o /app .\nCMD [\"/app\"]\n"
    assert lines("CD2002", text) == [2]
    catches_not("CD2002", "FROM alpine AS assets\nFROM golang:1.22\nCOPY --from=assets /a /a\nCMD [\"hugo\"]\n")


def test_single_stage_only_when_it_compiles():
    catches("CD2002", "FROM debian:12\nRUN apt-get install -y g++\nRUN g++ -o /app main.cpp\nCMD [\"/app\"]\n")
    catches_not("CD2002", "FROM python:3.12\nRUN apt-get install -y gcc\nCMD [\"python\", \"app.py\"]\n")


def test_dev_dependencies_in_final_stage():
    base = "FROM node:20 AS build\nRUN npm ci && npm run build\nFROM node:20-slim\nCOPY package*.json ./\n"
    assert lines("CD2002", base + 'RUN npm ci\nCMD ["node", "dist/main.js"]\n') == [5]
    catches_not("CD2002", base + 'RUN npm ci --omit=dev\nCMD ["node", "dist/main.js"]\n')
    catches_not("CD2002", base + 'RUN npm ci --only=production\nCMD ["node", "dist/main.js"]\n')
    catches_not("CD2002", base + 'ENV NODE_ENV=production\nRUN npm ci\nCMD ["node", "dist/main.js"]\n')
    catches_not("CD2002", base + 'RUN npm ci && npm run build\nCMD ["node", "dist/main.js"]\n')
    catches_not("CD2002", base + 'RUN npm ci\nCMD ["npm", "run", "dev"]\n')
