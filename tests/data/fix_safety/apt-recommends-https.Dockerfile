# curl reaches https only through ca-certificates, which libcurl merely recommends (absent from -slim).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
RUN curl -fsS https://deb.debian.org/debian/ -o /dev/null
