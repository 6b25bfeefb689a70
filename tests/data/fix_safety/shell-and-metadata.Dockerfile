# Fixes that touch later instructions' shell or metadata: SHELL with pipefail, MAINTAINER, USER root.
FROM debian:bookworm-slim
MAINTAINER codi <codi@example.com>
USER root
RUN echo hello | tr a-z A-Z
RUN printf 'a\nb\n' | sort -r | tr -d '\n'
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates wget && rm -rf /var/lib/apt/lists/*
RUN wget -q -O /tmp/index.html https://deb.debian.org/debian/
ENTRYPOINT sleep 1
