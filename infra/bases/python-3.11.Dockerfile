# Stand-in for the official python:3.11 (buildpack-deps based: compilers and common -dev libraries),
# from Debian bookworm's own packages (Python 3.11).
FROM debian:bookworm
ENV LANG=C.UTF-8
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates netbase tzdata curl wget git gnupg \
        build-essential pkg-config libffi-dev libssl-dev zlib1g-dev libpq-dev libjpeg-dev libxml2-dev libxslt1-dev \
        python3 python3-dev python3-pip python3-venv python-is-python3; \
    rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
CMD ["python3"]
