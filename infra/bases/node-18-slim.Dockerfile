# Stand-in for the official node:18-slim, from Debian bookworm's own packages (Node 18, npm 9, yarn 1).
# Like the official image: a `node` user (1000:1000) and `yarn` on PATH.
FROM debian:bookworm-slim
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates nodejs npm yarnpkg; \
    ln -s /usr/bin/yarnpkg /usr/local/bin/yarn; \
    groupadd --gid 1000 node; \
    useradd --uid 1000 --gid node --shell /bin/bash --create-home node; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
CMD ["node"]
