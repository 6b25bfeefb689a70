"""An app that writes into its WORKDIR at start-up (a visit counter file): it fails to start there
when the folder is not writable by the user it runs as."""

from pathlib import Path

from flask import Flask

COUNTER = Path("visits.txt")
COUNTER.write_text("0\n")
app = Flask(__name__)


@app.get("/")
def index() -> str:
    visits = int(COUNTER.read_text()) + 1
    COUNTER.write_text(f"{visits}\n")
    return f"visit {visits}\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
