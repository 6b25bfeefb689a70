# syntax=docker/dockerfile:1
# codi: multi-stage build (template java-multi-stage): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM maven:3.9-eclipse-temurin-17 AS builder
WORKDIR /app
COPY pom.xml .
COPY src ./src
# codi: the build, with the dependency repository cached; the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/root/.m2 mvn -B package -DskipTests

# codi: runtime stage on eclipse-temurin:17-jre, the same distribution family without the toolchain
FROM eclipse-temurin:17-jre
EXPOSE 8080
# codi: only the built artefacts, not the sources or the toolchain
COPY --from=builder --chown=10001:10001 /app/target/app.jar /app/target/app.jar
WORKDIR /app
# codi: a non-root user with a fixed numeric UID/GID, and no setuid/setgid binaries left to escalate with; the application's folder /app is the user's, so it can write there
RUN groupadd --system --gid 10001 app \
 && useradd --system -l --uid 10001 --gid 10001 --no-create-home app \
 && chown 10001:10001 /app \
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} +
USER 10001:10001
CMD ["java", "-jar", "target/app.jar"]
