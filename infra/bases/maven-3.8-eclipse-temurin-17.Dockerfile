# Stand-in for the official maven:3.8-eclipse-temurin-17 (also tagged 3.8.7-eclipse-temurin-17 and
# 3-eclipse-temurin-17), from Debian bookworm's own packages (Maven 3.8.7) on the eclipse-temurin:17-jdk
# stand-in. Like the official image: MAVEN_HOME=/usr/share/maven, MAVEN_CONFIG=/root/.m2, `mvn` as the
# command. Maven Central is not reachable here: builds need their dependencies in ~/.m2 already.
FROM eclipse-temurin:17-jdk
ENV MAVEN_HOME=/usr/share/maven MAVEN_CONFIG=/root/.m2
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends maven; \
    mkdir -p /root/.m2; \
    rm -rf /var/lib/apt/lists/*
CMD ["mvn"]
