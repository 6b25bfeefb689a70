# npm installs in two RUNs; the second one offline, from the cache the first filled.
FROM node:18-slim
WORKDIR /app
RUN npm init -y && npm install left-pad@1.3.0
RUN rm -rf node_modules && npm install --offline left-pad@1.3.0
CMD ["node", "-e", "console.log(require('left-pad')('x', 3))"]
