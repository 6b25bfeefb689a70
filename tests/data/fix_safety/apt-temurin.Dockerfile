# Update and install split on a JDK base; the jar tool runs afterwards.
FROM eclipse-temurin:17-jdk
RUN apt-get update
RUN apt-get install -y --no-install-recommends unzip
WORKDIR /work
RUN echo hi > a.txt && jar cf a.jar a.txt && unzip -l a.jar
