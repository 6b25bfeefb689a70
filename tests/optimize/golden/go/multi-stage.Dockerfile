# syntax=docker/dockerfile:1
# codi: multi-stage build (template go-multi-stage): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM golang:1.22 AS builder
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# codi: the build with the module cache (the one the download filled) and the build cache both mounted, so nothing is fetched or compiled again and neither cache is stored in the image
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /usr/local/bin/api ./cmd/api

# codi: runtime stage on debian:bookworm-slim, the same distribution family without the toolchain
FROM debian:bookworm-slim
EXPOSE 8080
# codi: only the built artefacts, not the sources or the toolchain
COPY --from=builder /usr/local/bin/api /usr/local/bin/api
COPY --chown=10001:10001 . /src/
WORKDIR /src
# codi: a non-root user with a fixed numeric UID/GID, and no setuid/setgid binaries left to escalate with; the application's folder /src is the user's, so it can write there
RUN groupadd --system --gid 10001 app \
 && useradd --system -l --uid 10001 --gid 10001 --no-create-home app \
 && chown 10001:10001 /src \
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} +
USER 10001:10001
ENTRYPOINT ["api"]
