# Stand-in for the official php:8.2-cli, from Debian bookworm's own packages (PHP 8.2) with the extensions
# the official image compiles in (curl, mbstring, openssl, pdo_sqlite, readline, sodium, xml, zlib).
# Like the official image: `php` in /usr/local/bin, PHP_INI_DIR=/usr/local/etc/php holding
# php.ini-production/-development (a php.ini put there is read) and a conf.d that is scanned.
# Not carried: the docker-php-ext-* helpers (the official image compiles extensions from PHP's sources;
# install Debian's php8.2-<ext> package instead).
FROM debian:bookworm-slim
ENV PHP_VERSION=8.2 PHP_INI_DIR=/usr/local/etc/php PHPRC=/usr/local/etc/php \
    PHP_INI_SCAN_DIR=/etc/php/8.2/cli/conf.d:/usr/local/etc/php/conf.d
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl xz-utils \
        php8.2-cli php8.2-curl php8.2-mbstring php8.2-sqlite3 php8.2-xml php8.2-readline; \
    mkdir -p /usr/local/etc/php/conf.d /var/www/html; \
    cp /usr/lib/php/8.2/php.ini-production /usr/lib/php/8.2/php.ini-development /usr/local/etc/php/; \
    ln -s /usr/bin/php8.2 /usr/local/bin/php; \
    chown www-data:www-data /var/www/html; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /var/www/html
CMD ["php", "-a"]
