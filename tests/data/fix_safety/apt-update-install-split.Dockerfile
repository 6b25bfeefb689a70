# The issue's case: the lists `apt-get update` fetched are read by the next RUN's install.
FROM debian:bookworm-slim
RUN apt-get update
RUN apt-get install -y curl
CMD ["curl", "--version"]
