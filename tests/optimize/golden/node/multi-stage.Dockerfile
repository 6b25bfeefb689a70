# syntax=docker/dockerfile:1
# codi: multi-stage build (template node-multi-stage): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM node:20 AS builder
ENV NODE_ENV=production
WORKDIR /usr/src/app
COPY package*.json ./
# codi: dependencies from the manifests alone, so this layer is rebuilt only when they change; the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# codi: runtime stage on node:20-slim, the same distribution family without the toolchain
FROM node:20-slim
ENV NODE_ENV=production
EXPOSE 3000
COPY --chown=10001:10001 package*.json /usr/src/app/
# codi: node_modules as the builder installed them
COPY --from=builder --chown=10001:10001 /usr/src/app/node_modules /usr/src/app/node_modules
COPY --chown=10001:10001 . /usr/src/app/
WORKDIR /usr/src/app
# codi: a non-root user with a fixed numeric UID/GID, and no setuid/setgid binaries left to escalate with; the application's folder /usr/src/app is the user's, so it can write there
RUN groupadd --system --gid 10001 app \
 && useradd --system -l --uid 10001 --gid 10001 --no-create-home app \
 && chown 10001:10001 /usr/src/app \
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} +
USER 10001:10001
# codi: a TCP probe of port 3000 with the runtime's own node, so orchestrators see a dead server
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "-e", "require('net').connect(3000, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"]
CMD ["node", "server.js"]
