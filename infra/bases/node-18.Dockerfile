# Stand-in for the official node:18 (buildpack-deps based: compilers, git, python3 for node-gyp),
# from Debian bookworm's own packages (Node 18, npm 9, yarn 1). A `node` user (1000:1000) as upstream.
FROM debian:bookworm
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl wget git gnupg build-essential python3 \
        nodejs npm yarnpkg; \
    ln -s /usr/bin/yarnpkg /usr/local/bin/yarn; \
    groupadd --gid 1000 node; \
    useradd --uid 1000 --gid node --shell /bin/bash --create-home node; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
CMD ["node"]
