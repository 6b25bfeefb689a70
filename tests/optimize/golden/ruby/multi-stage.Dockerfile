# syntax=docker/dockerfile:1
# codi: multi-stage build (template ruby-multi-stage): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM ruby:3.3 AS builder
WORKDIR /app
COPY Gemfile Gemfile.lock ./
# codi: gems from Gemfile/Gemfile.lock alone, so this layer is rebuilt only when they change; the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/usr/local/bundle/cache bundle install

# codi: runtime stage on ruby:3.3-slim, the same distribution family without the toolchain
FROM ruby:3.3-slim
EXPOSE 4567
COPY --chown=10001:10001 Gemfile Gemfile.lock /app/
# codi: the gems bundler installed in the builder
COPY --from=builder /usr/local/bundle /usr/local/bundle
COPY --chown=10001:10001 . /app/
WORKDIR /app
# codi: a non-root user with a fixed numeric UID/GID, and no setuid/setgid binaries left to escalate with; the application's folder /app is the user's, so it can write there
RUN groupadd --system --gid 10001 app \
 && useradd --system -l --uid 10001 --gid 10001 --no-create-home app \
 && chown 10001:10001 /app \
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} +
USER 10001:10001
# codi: a TCP probe of port 4567 with the runtime's own ruby, so orchestrators see a dead server
HEALTHCHECK --interval=30s --timeout=3s CMD ["ruby", "-rsocket", "-e", "TCPSocket.new('127.0.0.1', 4567).close"]
CMD ["ruby", "app.rb"]
