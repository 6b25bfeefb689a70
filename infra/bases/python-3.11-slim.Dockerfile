# Stand-in for the official python:3.11-slim, from Debian bookworm's own packages (Python 3.11).
# Like the official image: `python`, `pip` on PATH, and pip may install system-wide (no PEP 668 marker).
FROM debian:bookworm-slim
ENV LANG=C.UTF-8
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates netbase tzdata \
        python3 python3-pip python3-venv python-is-python3; \
    rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
CMD ["python3"]
