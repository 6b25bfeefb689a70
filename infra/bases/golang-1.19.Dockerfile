# Stand-in for the official golang:1.19, from Debian bookworm's own packages (Go 1.19).
# Like the official image: Go under /usr/local/go, GOPATH=/go on PATH, WORKDIR /go, gcc for cgo.
FROM debian:bookworm
ENV GOPATH=/go PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl git gcc libc6-dev make pkg-config golang-1.19-go; \
    ln -s /usr/lib/go-1.19 /usr/local/go; \
    mkdir -p /go/src /go/bin; \
    chmod -R 1777 /go; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /go
