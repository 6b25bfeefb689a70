# syntax=docker/dockerfile:1
# codi: minimal build (template rust-minimal): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM rust:1.77 AS builder
WORKDIR /usr/src/app
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# codi: the build, with the crate registry cached; the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release

# codi: runtime stage on gcr.io/distroless/cc-debian12:nonroot: no shell, no package manager
FROM gcr.io/distroless/cc-debian12:nonroot
# codi: only the built artefacts, not the sources or the toolchain
COPY --from=builder --chown=10001:10001 /usr/src/app/target/release/app /usr/src/app/target/release/app
WORKDIR /usr/src/app
# codi: a non-root numeric UID/GID: the runtime has no shell to create a user, and none is needed
USER 10001:10001
CMD ["./target/release/app"]
