# Stand-in for nginxinc/nginx-unprivileged:1.22 (nginx's own non-root image) on the nginx:1.22 stand-in:
# as upstream's, it runs as 101 (nginx), listens on 8080, keeps its pid and temp files under /tmp and
# leaves /etc/nginx, /var/cache/nginx and /usr/share/nginx/html writable by group 0.
FROM nginx:1.22
RUN set -eux; \
    sed -i -e '/^user /d' -e 's,^pid .*,pid        /tmp/nginx.pid;,' \
        -e 's,^http {,http {\n    client_body_temp_path /tmp/client_temp;\n    proxy_temp_path /tmp/proxy_temp;,' \
        -e 's,^http {,&\n    fastcgi_temp_path     /tmp/fastcgi_temp;\n    uwsgi_temp_path       /tmp/uwsgi_temp;,' \
        -e 's,^http {,&\n    scgi_temp_path        /tmp/scgi_temp;,' /etc/nginx/nginx.conf; \
    sed -i -e 's,listen       80;,listen       8080;,' -e 's,listen  \[::\]:80;,listen  [::]:8080;,' \
        /etc/nginx/conf.d/default.conf; \
    chown -R 101:0 /var/cache/nginx /etc/nginx /usr/share/nginx/html; \
    chmod -R g+w /var/cache/nginx /etc/nginx /usr/share/nginx/html; \
    nginx -t; \
    rm -rf /tmp/*  # the check made the pid file and temp folders as root; the runtime user makes its own
EXPOSE 8080
USER 101
