# Stand-in for the official composer:2 (Composer on PHP's CLI), from Debian bookworm's own packages
# (Composer 2.5 on PHP 8.2) for a builder stage that runs `composer install`. Like the official image:
# git and unzip for packages fetched from VCS or archives, WORKDIR /app, root allowed without a warning.
# Unlike it, /usr/bin/composer is Debian's launcher of the files in /usr/share/php, not a self-contained
# phar: `COPY --from=composer:2 /usr/bin/composer …` copies a script that needs them.
FROM php:8.2-cli
ENV COMPOSER_ALLOW_SUPERUSER=1 COMPOSER_HOME=/tmp
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends composer git unzip php8.2-zip; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /app
CMD ["composer"]
