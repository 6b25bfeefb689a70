# Stand-in for the official gradle:jdk17, from Debian bookworm's own packages on the eclipse-temurin:17-jdk
# stand-in. Debian's Gradle is 4.4.1 (patched to run on OpenJDK 17), far older than upstream's; builds
# that need a newer Gradle or the wrapper (services.gradle.org is not reachable here) do not build.
# Like the official image: GRADLE_HOME=/opt/gradle, a `gradle` user (1000:1000) with /home/gradle as
# WORKDIR, `gradle` as the command.
FROM eclipse-temurin:17-jdk
ENV GRADLE_HOME=/opt/gradle GRADLE_VERSION=4.4.1
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends gradle; \
    ln -s /usr/share/gradle /opt/gradle; \
    groupadd --gid 1000 gradle; \
    useradd --uid 1000 --gid gradle --shell /bin/bash --create-home gradle; \
    mkdir -p /home/gradle/.gradle; \
    chown -R gradle:gradle /home/gradle; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /home/gradle
CMD ["gradle"]
