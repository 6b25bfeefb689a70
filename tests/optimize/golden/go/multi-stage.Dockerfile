# syntax=docker/dockerfile:1
# codi: multi-stage build (template go-multi-stage): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM golang:1.22 AS builder
WORKDIR /src
# codi: the dependency manifests before the sources, so a source change keeps the dependency layer cached
COPY go.mod go.sum ./
# codi: modules from go.mod/go.sum alone, so this layer is rebuilt only when they change; the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN go build -o /usr/local/bin/api ./cmd/api

# codi: runtime stage on debian:bookworm-slim, the same distribution family without the toolchain
FROM debian:bookworm-slim
EXPOSE 8080
WORKDIR /src
# codi: only the built artefacts, not the sources or the toolchain
COPY --from=builder /usr/local/bin/api /usr/local/bin/api
# codi: a non-root user with a fixed numeric UID/GID, and no setuid/setgid binaries left to escalate with
RUN groupadd --system --gid 10001 app \
 && useradd --system -l --uid 10001 --gid 10001 --no-create-home app \
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} +
USER 10001:10001
ENTRYPOINT ["api"]
