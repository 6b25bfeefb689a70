# syntax=docker/dockerfile:1
# codi: minimal build (template node-minimal): the builder has the toolchain and
# codi: the dependency cache, the runtime gets only what the application needs to run
FROM node:20 AS builder
ENV NODE_ENV=production
WORKDIR /usr/src/app
COPY package*.json ./
# codi: dependencies from the manifests alone, so this layer is rebuilt only when they change; the cache mount keeps downloads between builds without storing them in the image
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev

# codi: runtime stage on gcr.io/distroless/nodejs20-debian12:nonroot: no shell, no package manager
FROM gcr.io/distroless/nodejs20-debian12:nonroot
ENV NODE_ENV=production
EXPOSE 3000
COPY --chown=10001:10001 package*.json /usr/src/app/
# codi: node_modules as the builder installed them
COPY --from=builder --chown=10001:10001 /usr/src/app/node_modules /usr/src/app/node_modules
COPY --chown=10001:10001 . /usr/src/app/
WORKDIR /usr/src/app
# codi: a non-root numeric UID/GID: the runtime has no shell to create a user, and none is needed
USER 10001:10001
ENTRYPOINT []
CMD ["/nodejs/bin/node", "server.js"]
