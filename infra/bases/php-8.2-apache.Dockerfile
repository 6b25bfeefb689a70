# Stand-in for the official php:8.2-apache, from Debian bookworm's own packages (PHP 8.2 as mod_php in
# Apache 2.4, prefork MPM) with the extensions the official image compiles in. Like the official image:
# DocumentRoot /var/www/html (empty), mod_rewrite available, logs to the container's stdout/stderr,
# `php` in /usr/local/bin, PHP_INI_DIR=/usr/local/etc/php (php.ini-production/-development; a php.ini
# put there is read; conf.d scanned), `apache2-foreground` as the command, port 80, SIGWINCH to stop
# gracefully. Not carried: the docker-php-ext-* helpers (install Debian's php8.2-<ext> package instead).
FROM debian:bookworm-slim
ENV PHP_VERSION=8.2 PHP_INI_DIR=/usr/local/etc/php PHPRC=/usr/local/etc/php \
    PHP_INI_SCAN_DIR=/etc/php/8.2/apache2/conf.d:/usr/local/etc/php/conf.d APACHE_CONFDIR=/etc/apache2 \
    APACHE_ENVVARS=/etc/apache2/envvars
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl xz-utils apache2 libapache2-mod-php8.2 \
        php8.2-cli php8.2-curl php8.2-mbstring php8.2-sqlite3 php8.2-xml php8.2-readline; \
    mkdir -p /usr/local/etc/php/conf.d; \
    cp /usr/lib/php/8.2/php.ini-production /usr/lib/php/8.2/php.ini-development /usr/local/etc/php/; \
    ln -s /usr/bin/php8.2 /usr/local/bin/php; \
    rm -rf /var/www/html/*; \
    chown www-data:www-data /var/www/html; \
    ln -sfT /dev/stderr /var/log/apache2/error.log; \
    ln -sfT /dev/stdout /var/log/apache2/access.log; \
    ln -sfT /dev/stdout /var/log/apache2/other_vhosts_access.log; \
    printf '%s\n' 'ServerName localhost' '<FilesMatch \.php$>' '    SetHandler application/x-httpd-php' \
        '</FilesMatch>' 'DirectoryIndex disabled' 'DirectoryIndex index.php index.html' '<Directory /var/www/>' \
        '    Options -Indexes' '    AllowOverride All' '</Directory>' >/etc/apache2/conf-available/docker-php.conf; \
    a2enconf docker-php; \
    a2enmod rewrite; \
    printf '%s\n' '#!/bin/sh' 'set -e' '. "$APACHE_ENVVARS"' 'rm -f "$APACHE_PID_FILE"' \
        'exec apache2 -DFOREGROUND "$@"' >/usr/local/bin/apache2-foreground; \
    chmod +x /usr/local/bin/apache2-foreground; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /var/www/html
EXPOSE 80
STOPSIGNAL SIGWINCH
CMD ["apache2-foreground"]
