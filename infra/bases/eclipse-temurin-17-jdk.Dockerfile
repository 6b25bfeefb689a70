# Stand-in for the official eclipse-temurin:17-jdk, from Debian bookworm's own packages (OpenJDK 17).
# Like the official image: JAVA_HOME=/opt/java/openjdk with its bin on PATH.
FROM debian:bookworm-slim
ENV JAVA_HOME=/opt/java/openjdk LANG=C.UTF-8 \
    PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN set -eux; \
    mkdir -p /usr/share/man/man1; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates curl openjdk-17-jdk-headless; \
    mkdir -p /opt/java; \
    ln -s /usr/lib/jvm/java-17-openjdk-amd64 /opt/java/openjdk; \
    update-ca-certificates; \
    rm -rf /var/lib/apt/lists/*
CMD ["jshell"]
