// A tiny Express service: a greeting on / and a health endpoint.
const express = require("express");
const morgan = require("morgan");

const app = express();
const port = Number(process.env.PORT || 8082);

app.use(morgan("combined"));

app.get("/", (req, res) => {
  res.json({ message: "hello from express", node: process.version });
});

app.get("/healthz", (req, res) => {
  res.type("text").send("ok\n");
});

app.listen(port, () => {
  console.log(`listening on ${port}`);
});
