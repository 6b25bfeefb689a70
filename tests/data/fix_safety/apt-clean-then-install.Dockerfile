# A cleanup already in place, then another update and install in a later RUN (its own fix is safe).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y --no-install-recommends jq
RUN apt-get update && apt-get install -y --no-install-recommends curl
CMD ["curl", "--version"]
