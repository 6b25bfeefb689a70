"""Access to the corpus of real-world Dockerfiles vendored in tests/data/corpus (see its README.md)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

CORPUS = Path(os.environ.get("CODI_CORPUS", Path(__file__).resolve().parent / "data" / "corpus"))
DOCKERFILES = CORPUS / "dockerfiles"


def corpus_files() -> list[Path]:
    return sorted(DOCKERFILES.glob("*.Dockerfile"))


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", "surrogateescape")


@cache
def hadolint_baseline() -> dict[str, list[dict]]:
    return json.loads((CORPUS / "hadolint-2.15.1.json").read_text())


@cache
def manifest() -> list[dict]:
    return json.loads((CORPUS / "manifest.json").read_text())
