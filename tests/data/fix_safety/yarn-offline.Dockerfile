# `yarn install --offline` in a later RUN needs the cache `yarn cache clean` would delete.
FROM node:18-slim
WORKDIR /app
RUN echo '{"name":"a","version":"1.0.0","dependencies":{"left-pad":"1.3.0"}}' > package.json
RUN yarn install
RUN rm -rf node_modules && yarn install --offline
CMD ["node", "-e", "console.log(require('left-pad')('x', 3))"]
