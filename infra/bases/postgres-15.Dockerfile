# Stand-in for the official postgres:15, from Debian bookworm's own packages (PostgreSQL 15). Like the
# official image: a `postgres` user (999:999), PGDATA=/var/lib/postgresql/data (a VOLUME), the server's
# binaries on PATH, listen_addresses '*' on port 5432 (PGPORT moves it, as upstream's), and a
# docker-entrypoint.sh that on a first start runs initdb for POSTGRES_USER (default postgres) with
# POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE (required unless POSTGRES_HOST_AUTH_METHOD=trust), adds
# `host all all all scram-sha-256` to pg_hba.conf and creates POSTGRES_DB (default: the user's name).
# Not carried: /docker-entrypoint-initdb.d scripts, POSTGRES_INITDB_WALDIR, and the root start that chowns
# PGDATA and drops to postgres with gosu; this image runs as 999 from the start.
FROM debian:bookworm-slim
ENV PG_MAJOR=15 LANG=C.UTF-8 PGDATA=/var/lib/postgresql/data \
    PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN set -eux; \
    groupadd --system --gid 999 postgres; \
    useradd --system --gid postgres --uid 999 --home-dir /var/lib/postgresql --shell /bin/bash postgres; \
    mkdir -p /var/lib/postgresql; \
    chown postgres:postgres /var/lib/postgresql; \
    apt-get update; \
    apt-get install -y --no-install-recommends postgresql-common; \
    sed -ri 's/#(create_main_cluster) .*$/\1 = false/' /etc/postgresql-common/createcluster.conf; \
    apt-get install -y --no-install-recommends postgresql-15; \
    sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" /usr/share/postgresql/15/postgresql.conf.sample; \
    grep -F "listen_addresses = '*'" /usr/share/postgresql/15/postgresql.conf.sample; \
    mkdir -p /var/run/postgresql "$PGDATA"; \
    chown postgres:postgres /var/run/postgresql "$PGDATA"; \
    chmod 3777 /var/run/postgresql; \
    chmod 700 "$PGDATA"; \
    printf '%s\n' '#!/bin/sh' \
        '# First start: initdb, a password for POSTGRES_USER, remote logins by password, POSTGRES_DB.' \
        'set -eu' \
        'if [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi' \
        'if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then' \
        '    if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE"); fi' \
        '    auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}' \
        '    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then' \
        '        echo "Error: Database is uninitialized and superuser password is not specified." >&2' \
        '        echo "       Set POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), or POSTGRES_HOST_AUTH_METHOD=trust." >&2' \
        '        exit 1' \
        '    fi' \
        '    user=${POSTGRES_USER:-postgres}' \
        '    database=${POSTGRES_DB:-$user}' \
        '    pwfile=$(mktemp)' \
        '    printf "%s\n" "${POSTGRES_PASSWORD:-}" >"$pwfile"' \
        '    initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host="$auth" ${POSTGRES_INITDB_ARGS:-} >/dev/null' \
        '    rm -f "$pwfile"' \
        '    printf "host all all all %s\n" "$auth" >>"$PGDATA/pg_hba.conf"' \
        '    if [ "$database" != postgres ]; then' \
        '        echo "CREATE DATABASE \"$database\";" | postgres --single -j -D "$PGDATA" postgres >/dev/null' \
        '    fi' \
        '    echo "PostgreSQL init process complete; ready for start up."' \
        'fi' \
        'exec "$@"' >/usr/local/bin/docker-entrypoint.sh; \
    chmod 755 /usr/local/bin/docker-entrypoint.sh; \
    postgres --version; \
    rm -rf /var/lib/apt/lists/*
VOLUME /var/lib/postgresql/data
USER 999:999
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
