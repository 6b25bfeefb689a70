# yarn install, then a build script: the cache clean after the install is safe.
FROM node:18
WORKDIR /app
RUN echo '{"name":"a","version":"1.0.0","scripts":{"build":"node -e 0"},"dependencies":{"left-pad":"1.3.0"}}' > package.json
RUN yarn install
RUN yarn build
CMD ["node", "-e", "console.log(require('left-pad')('x', 3))"]
