# Stand-in for the official php:8.2-fpm, from Debian bookworm's own packages (PHP-FPM 8.2) with the
# extensions the official image compiles in. Like the official image: `php-fpm` in the foreground on
# port 9000 (pool www as www-data, environment kept, logs to stderr), `php` in /usr/local/bin,
# PHP_INI_DIR=/usr/local/etc/php (php.ini-production/-development; a php.ini put there is read; conf.d
# scanned), WORKDIR /var/www/html, SIGQUIT to stop gracefully. Not carried: the docker-php-ext-* helpers.
FROM debian:bookworm-slim
ENV PHP_VERSION=8.2 PHP_INI_DIR=/usr/local/etc/php PHPRC=/usr/local/etc/php \
    PHP_INI_SCAN_DIR=/etc/php/8.2/fpm/conf.d:/usr/local/etc/php/conf.d
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl xz-utils php8.2-fpm \
        php8.2-cli php8.2-curl php8.2-mbstring php8.2-sqlite3 php8.2-xml php8.2-readline; \
    mkdir -p /usr/local/etc/php/conf.d /var/www/html; \
    cp /usr/lib/php/8.2/php.ini-production /usr/lib/php/8.2/php.ini-development /usr/local/etc/php/; \
    ln -s /usr/bin/php8.2 /usr/local/bin/php; \
    ln -s /usr/sbin/php-fpm8.2 /usr/local/sbin/php-fpm; \
    chown www-data:www-data /var/www/html; \
    printf '%s\n' '[global]' 'error_log = /proc/self/fd/2' 'log_limit = 8192' 'daemonize = no' '' '[www]' \
        'listen = 9000' 'access.log = /proc/self/fd/2' 'clear_env = no' 'catch_workers_output = yes' \
        'decorate_workers_output = no' >/etc/php/8.2/fpm/pool.d/zz-docker.conf; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /var/www/html
EXPOSE 9000
STOPSIGNAL SIGQUIT
CMD ["php-fpm"]
