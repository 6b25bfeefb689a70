# A stage built FROM another starts with its files: the child's install reads the parent's lists.
FROM debian:bookworm-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
FROM base
RUN apt-get install -y --no-install-recommends jq
CMD ["jq", "--version"]
