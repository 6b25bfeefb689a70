# Stand-in for the official ruby:3.1-slim, from Debian bookworm's own packages (Ruby 3.1.2, Bundler 2.3):
# no compilers. Like the official image: gems and Bundler's config under GEM_HOME=/usr/local/bundle, its
# bin first on PATH, no root warning from Bundler.
FROM debian:bookworm-slim
ENV LANG=C.UTF-8 RUBY_VERSION=3.1.2 GEM_HOME=/usr/local/bundle BUNDLE_SILENCE_ROOT_WARNING=1 \
    BUNDLE_APP_CONFIG=/usr/local/bundle \
    PATH=/usr/local/bundle/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates ruby bundler; \
    mkdir -p /usr/local/bundle; \
    chmod 1777 /usr/local/bundle; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
CMD ["irb"]
