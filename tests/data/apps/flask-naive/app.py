"""The issue's naive Flask app: one route, served on port 8000."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "hello from flask\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
