// An Express app started with `npm start` by an image that runs as `USER node`.
const express = require("express");

const app = express();
app.get("/", (req, res) => res.send("hello from express\n"));
app.listen(3000, "0.0.0.0");
