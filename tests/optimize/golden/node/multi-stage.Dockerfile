# syntax=docker/dockerfile:1
# codi: multi-stage build (template node-multi-stage): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM node:20 AS builder
ENV NODE_ENV=production
WORKDIR /usr/src/app
# codi: the dependency manifests before the sources, so a source change keeps the dependency layer cached
COPY package*.json ./
# codi: dependencies from the manifests alone, so this layer is rebuilt only when they change; the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# codi: runtime stage on node:20-bookworm-slim, the same distribution family without the toolchain
FROM node:20-bookworm-slim
ENV NODE_ENV=production
EXPOSE 3000
WORKDIR /usr/src/app
# codi: the application files, copied as the original copies them
COPY package*.json ./
COPY . .
# codi: node_modules as the builder installed them
COPY --from=builder /usr/src/app/node_modules /usr/src/app/node_modules
# codi: a non-root user with a fixed numeric UID/GID, and no setuid/setgid binaries left to escalate with
RUN groupadd --system --gid 10001 app \
 && useradd --system -l --uid 10001 --gid 10001 --no-create-home app \
 && find / -xdev -perm /6000 -type f -exec chmod a-s {} +
USER 10001:10001
# codi: a TCP probe of port 3000 with the runtime's own node, so orchestrators see a dead server
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "-e", "require('net').connect(3000, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))"]
CMD ["node", "server.js"]
