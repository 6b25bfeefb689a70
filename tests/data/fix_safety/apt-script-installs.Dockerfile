# A script run by a later RUN installs from the stored lists: codi cannot see into it.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
RUN printf 'set -e\napt-get install -y --no-install-recommends jq\n' > /usr/local/bin/setup.sh
RUN sh /usr/local/bin/setup.sh
CMD ["jq", "--version"]
