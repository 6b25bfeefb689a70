# syntax=docker/dockerfile:1
# codi: multi-stage build (template python-multi-stage): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM python:3.11 AS builder
ENV PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gcc=4:12.2.0-3 libpq-dev=15.6-0+deb12u1 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
# codi: the dependencies under /install (at the interpreter's own install paths) for the runtime to copy;
# codi: the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/root/.cache/pip pip install --root=/install --no-cache-dir -r requirements.txt

# codi: runtime stage on python:3.11-slim, the same distribution family without the toolchain
FROM python:3.11-slim
LABEL org.opencontainers.image.title="shop-api"
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
RUN apt-get update && apt-get install -y --no-install-recommends libpq5=15.6-0+deb12u1 && rm -rf /var/lib/apt/lists/*
COPY --chown=10001:10001 requirements.txt /app/
# codi: the packages and scripts pip installed in the builder's /usr/local (under /install), to the same place
COPY --from=builder /install/usr/local /usr/local
COPY --chown=10001:10001 . /app/
WORKDIR /app
# codi: a non-root user with a fixed numeric UID/GID, and no setuid/setgid binaries left to escalate with; the application's folder /app is the user's, so it can write there
RUN groupadd --system --gid 10001 app \
 && useradd --system -l --uid 10001 --gid 10001 --no-create-home app \
 && chown 10001:10001 /app \
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} +
USER 10001:10001
# codi: a TCP probe of port 8000 with the runtime's own python, so orchestrators see a dead server
HEALTHCHECK --interval=30s --timeout=3s CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', 8000), 2).close()"]
CMD ["python", "-m", "shop.server"]
