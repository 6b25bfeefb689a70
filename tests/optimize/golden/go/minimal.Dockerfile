# syntax=docker/dockerfile:1
# codi: minimal build (template go-minimal): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM golang:1.22 AS builder
WORKDIR /src
# codi: the dependency manifests before the sources, so a source change keeps the dependency layer cached
COPY go.mod go.sum ./
# codi: modules from go.mod/go.sum alone, so this layer is rebuilt only when they change; the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# codi: a static binary (no cgo), so it runs on an image without a C library
ENV CGO_ENABLED=0
RUN go build -o /usr/local/bin/api ./cmd/api

# codi: runtime stage on gcr.io/distroless/static-debian12:nonroot: no shell, no package manager
FROM gcr.io/distroless/static-debian12:nonroot
EXPOSE 8080
WORKDIR /src
# codi: only the built artefacts, not the sources or the toolchain
COPY --from=builder /usr/local/bin/api /usr/local/bin/api
# codi: a non-root numeric UID/GID: the runtime has no shell to create a user, and none is needed
USER 10001:10001
ENTRYPOINT ["api"]
