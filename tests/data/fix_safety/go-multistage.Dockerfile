# Several stages: a Go build, then a runtime stage whose second RUN installs from the first's lists.
FROM golang:1.19 AS build
WORKDIR /src
RUN printf 'package main\n\nfunc main() { println("hi") }\n' > main.go && go mod init example.com/hi
RUN CGO_ENABLED=0 go build -o /hi .
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates
RUN apt-get install -y --no-install-recommends jq
COPY --from=build /hi /usr/local/bin/hi
CMD hi
