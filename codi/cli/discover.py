"""Finding Dockerfiles under the paths a user names."""

from __future__ import annotations

import fnmatch
from pathlib import Path

DOCKERFILE_PATTERNS = ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile", "Containerfile.*")
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"})


def is_dockerfile_name(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in DOCKERFILE_PATTERNS)


def find_dockerfiles(paths: list[str]) -> list[Path]:
    """Files named like Dockerfiles under `paths` (files given directly are always taken)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                if candidate.is_file() and is_dockerfile_name(candidate.name) and not _skipped(candidate, path):
                    found.append(candidate)
        else:
            found.append(path)
    return found


def _skipped(candidate: Path, root: Path) -> bool:
    return any(part in _SKIP_DIRS for part in candidate.relative_to(root).parts[:-1])
