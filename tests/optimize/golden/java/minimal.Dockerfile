# syntax=docker/dockerfile:1
# codi: minimal build (template java-minimal): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM maven:3.9-eclipse-temurin-17 AS builder
WORKDIR /app
COPY pom.xml .
COPY src ./src
# codi: the build, with the dependency repository cached; the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/root/.m2 mvn -B package -DskipTests

# codi: runtime stage on gcr.io/distroless/java17-debian12:nonroot: no shell, no package manager
FROM gcr.io/distroless/java17-debian12:nonroot
EXPOSE 8080
# codi: only the built artefacts, not the sources or the toolchain
COPY --from=builder --chown=10001:10001 /app/target/app.jar /app/target/app.jar
WORKDIR /app
# codi: a non-root numeric UID/GID: the runtime has no shell to create a user, and none is needed
USER 10001:10001
ENTRYPOINT []
CMD ["java", "-jar", "target/app.jar"]
