"""The demo's web app: Flask answering on port 8000 (what `codi optimize --build` smoke-tests)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello from the python-app example\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
