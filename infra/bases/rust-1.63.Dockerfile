# Stand-in for the official rust:1.63 (buildpack-deps based: gcc, git, common -dev libraries), from
# Debian bookworm's own packages (rustc 1.63, cargo 1.65). Like the official image: CARGO_HOME
# /usr/local/cargo (its bin first on PATH) and RUSTUP_HOME /usr/local/rustup, both writable by anyone;
# rustc and cargo are Debian's in /usr/bin (no rustup: one toolchain, crates come from crates.io).
FROM debian:bookworm
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo RUST_VERSION=1.63.0 \
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl wget git gnupg build-essential pkg-config \
        libssl-dev zlib1g-dev rustc cargo; \
    mkdir -p /usr/local/cargo/bin /usr/local/rustup; \
    chmod -R a+w /usr/local/cargo /usr/local/rustup; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
