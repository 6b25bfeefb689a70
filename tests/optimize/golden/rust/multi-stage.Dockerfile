# syntax=docker/dockerfile:1
# codi: multi-stage build (template rust-multi-stage): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM rust:1.77 AS builder
WORKDIR /usr/src/app
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# codi: the build, with the crate registry cached; the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/usr/local/cargo/registry cargo build --release

# codi: runtime stage on debian:bookworm-slim, the same distribution family without the toolchain
FROM debian:bookworm-slim
# codi: only the built artefacts, not the sources or the toolchain
COPY --from=builder --chown=10001:10001 /usr/src/app/target/release/app /usr/src/app/target/release/app
WORKDIR /usr/src/app
# codi: a non-root user with a fixed numeric UID/GID, and no setuid/setgid binaries left to escalate with; the application's folder /usr/src/app is the user's, so it can write there
RUN groupadd --system --gid 10001 app \
 && useradd --system -l --uid 10001 --gid 10001 --no-create-home app \
 && chown 10001:10001 /usr/src/app \
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} +
USER 10001:10001
CMD ["./target/release/app"]
