# A second RUN installs from the lists the first one fetched.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN apt-get install -y --no-install-recommends jq
CMD ["jq", "--version"]
