# Stand-in for the official nginx:1.22, from Debian bookworm's own packages (nginx 1.22.1). Like the
# official image: an `nginx` user (101:101) runs the workers, upstream's /etc/nginx/nginx.conf including
# /etc/nginx/conf.d/*.conf, a default.conf serving /usr/share/nginx/html on port 80, logs to the
# container's stdout/stderr, SIGQUIT to stop gracefully. Not carried: the entrypoint's
# /docker-entrypoint.d hooks (templates, IPv6 switch); CMD runs nginx directly.
FROM debian:bookworm-slim
ENV NGINX_VERSION=1.22.1
RUN set -eux; \
    groupadd --system --gid 101 nginx; \
    useradd --system --gid nginx --uid 101 --no-create-home --home /nonexistent --shell /bin/false nginx; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates nginx; \
    rm -rf /etc/nginx/sites-enabled /etc/nginx/sites-available /var/www/html; \
    mkdir -p /etc/nginx/conf.d /usr/share/nginx/html /var/cache/nginx; \
    printf '%s\n' 'user  nginx;' 'worker_processes  auto;' '' 'error_log  /var/log/nginx/error.log notice;' \
        'pid        /var/run/nginx.pid;' 'include /etc/nginx/modules-enabled/*.conf;' '' \
        'events {' '    worker_connections  1024;' '}' '' 'http {' \
        '    include       /etc/nginx/mime.types;' '    default_type  application/octet-stream;' '' \
        "    log_format  main  '\$remote_addr - \$remote_user [\$time_local] \"\$request\" '" \
        "                      '\$status \$body_bytes_sent \"\$http_referer\" '" \
        "                      '\"\$http_user_agent\" \"\$http_x_forwarded_for\"';" '' \
        '    access_log  /var/log/nginx/access.log  main;' '' '    sendfile        on;' \
        '    keepalive_timeout  65;' '' '    include /etc/nginx/conf.d/*.conf;' '}' >/etc/nginx/nginx.conf; \
    printf '%s\n' 'server {' '    listen       80;' '    listen  [::]:80;' '    server_name  localhost;' '' \
        '    location / {' '        root   /usr/share/nginx/html;' '        index  index.html index.htm;' '    }' '' \
        '    error_page   500 502 503 504  /50x.html;' '    location = /50x.html {' \
        '        root   /usr/share/nginx/html;' '    }' '}' >/etc/nginx/conf.d/default.conf; \
    printf '%s\n' '<!DOCTYPE html>' '<html><head><title>Welcome to nginx!</title></head>' \
        '<body><h1>Welcome to nginx!</h1></body></html>' >/usr/share/nginx/html/index.html; \
    printf '%s\n' '<!DOCTYPE html>' '<html><head><title>Error</title></head>' \
        '<body><h1>An error occurred.</h1></body></html>' >/usr/share/nginx/html/50x.html; \
    ln -sf /dev/stdout /var/log/nginx/access.log; \
    ln -sf /dev/stderr /var/log/nginx/error.log; \
    nginx -t; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
