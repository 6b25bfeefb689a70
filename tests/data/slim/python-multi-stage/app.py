"""A Flask app that writes into its WORKDIR at start-up, so a non-root candidate must own that folder."""

from pathlib import Path

from flask import Flask

Path("started.txt").write_text("started\n")
app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "hello from " + Path("started.txt").read_text()


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
