"""Access to the shared corpus of real-world Dockerfiles (../shared/corpus beside the repo)."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

CORPUS = Path(os.environ.get("CODI_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))
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
