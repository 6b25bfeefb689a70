# syntax=docker/dockerfile:1
# codi: minimal build (template go-minimal): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM golang:1.22 AS builder
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# codi: the build with the module cache (the one the download filled) and the build cache both mounted, so nothing is fetched or compiled again and neither cache is stored in the image
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /usr/local/bin/api ./cmd/api

# codi: runtime stage on gcr.io/distroless/base-debian12:nonroot: no shell, no package manager
FROM gcr.io/distroless/base-debian12:nonroot
EXPOSE 8080
# codi: only the built artefacts, not the sources or the toolchain
COPY --from=builder /usr/local/bin/api /usr/local/bin/api
COPY --chown=10001:10001 . /src/
WORKDIR /src
# codi: a non-root numeric UID/GID: the runtime has no shell to create a user, and none is needed
USER 10001:10001
ENTRYPOINT ["api"]
