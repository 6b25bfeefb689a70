"""`codi llm` prints codi's lines only: llama.cpp's own log (context sizes, loader notes) is silenced, and a
model file llama.cpp cannot load is codi's message, not a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LOAD = "from codi.llm import bundled_model_path, load_model; load_model(bundled_model_path(), n_ctx=4096)"


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)


def test_llama_cpp_log_lines_are_silenced() -> None:
    assert "llama_context: n_ctx_per_seq (4096) < n_ctx_train" in python(LOAD).stderr  # what is silenced
    assert python(f"from codi.cli.llm import quiet_llama_cpp; quiet_llama_cpp(); {LOAD}").stderr == ""


def test_a_file_that_is_not_a_model_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text('FROM python:3.11-slim\nCMD ["python"]\n')
    (tmp_path / "model.gguf").write_text("not a model\n")
    model = tmp_path / "model.gguf"
    command = [sys.executable, "-m", "codi", "llm", "rank", str(tmp_path / "Dockerfile"), "--model", str(model)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 2
    assert done.stderr == (
        f"codi: loading {model}\ncodi: cannot load the model {model}: Failed to load model from file: {model}\n"
    )
