// The demo's Node.js example: answers every request on port 3000.
const http = require("http");

http
  .createServer((request, response) => {
    response.writeHead(200, { "Content-Type": "text/plain" });
    response.end("hello from the node-app example\n");
  })
  .listen(3000, "0.0.0.0");
