# Stand-in for the official redis:7, from Debian bookworm's own packages (Redis 7.0). Like the official image:
# a `redis` user (999:999) runs the server in /data (a VOLUME), port 6379, CMD redis-server with no config
# file, and protected mode off (the official image patches that default out: it answers other containers).
# Not carried: the entrypoint that starts as root, chowns /data and drops to redis with gosu; this image
# runs as 999 from the start (named volumes take /data's ownership, so they are writable all the same).
FROM debian:bookworm-slim
ENV REDIS_VERSION=7.0
RUN set -eux; \
    groupadd --system --gid 999 redis; \
    useradd --system --gid redis --uid 999 --home-dir /var/lib/redis --shell /usr/sbin/nologin redis; \
    apt-get update; \
    apt-get install -y --no-install-recommends redis-server; \
    mkdir -p /data; \
    chown redis:redis /data; \
    redis-server --version; \
    rm -rf /var/lib/apt/lists/*
VOLUME /data
WORKDIR /data
USER 999:999
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no"]
