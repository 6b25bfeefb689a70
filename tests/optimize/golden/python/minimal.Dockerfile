# syntax=docker/dockerfile:1
# codi: minimal build (template python-minimal): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM python:3.11 AS builder
ENV PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends gcc=4:12.2.0-3 libpq-dev=15.6-0+deb12u1 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# codi: the dependency manifests before the sources, so a source change keeps the dependency layer cached
COPY requirements.txt .
# codi: dependencies from requirements.txt alone, under /install (at the interpreter's own install paths) for the runtime to copy;
# codi: the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/root/.cache/pip pip install --root=/install -r requirements.txt

# codi: runtime stage on gcr.io/distroless/python3-debian12:nonroot: no shell, no package manager
FROM gcr.io/distroless/python3-debian12:nonroot
LABEL org.opencontainers.image.title="shop-api"
ENV PYTHONUNBUFFERED=1
EXPOSE 8000
WORKDIR /app
# codi: the packages pip installed in the builder (site-packages, or dist-packages for a Debian python3),
# codi: where Debian's python3 looks for them
COPY --from=builder /install/usr/local/lib/python3.11/*-packages /usr/local/lib/python3.11/dist-packages/
# codi: the application files, copied as the original copies them
COPY requirements.txt .
COPY . .
# codi: a non-root numeric UID/GID: the runtime has no shell to create a user, and none is needed
USER 10001:10001
ENTRYPOINT []
CMD ["python3", "-m", "shop.server"]
