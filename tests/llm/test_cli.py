"""`codi llm rank|explain` on files: the scorer alone, the real model, and a missing model file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codi.cli.main import main

DOCKERFILE = (
    "FROM python:3.11\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    "COPY . .\nEXPOSE 8000\nCMD python app.py\n"
)


@pytest.fixture
def dockerfile(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text("flask==3.0.3\n")
    (tmp_path / "app.py").write_text("print('hi')\n")
    path = tmp_path / "Dockerfile"
    path.write_text(DOCKERFILE)
    return path


def test_rank_without_a_model_prints_the_scorers_order_as_json(dockerfile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["llm", "rank", "--no-model", "--format", "json", str(dockerfile)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["source"] == "deterministic" and document["telemetry"] is None
    assert sorted(document["order"]) == ["fixes", "multi-stage"] and document["order"] == document["deterministic_order"]
    assert {score["basis"] for score in document["scores"]} == {"estimate"}


def test_explain_with_the_bundled_model_says_who_ordered_and_labels_model_text(
    dockerfile: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CODI_LLM_MODEL_PATH", raising=False)
    assert main(["llm", "explain", str(dockerfile)]) == 0
    out = capsys.readouterr().out
    assert "SmolLM2-135M-Instruct.Q4_1" in out
    assert "Model output (SmolLM2-135M-Instruct.Q4_1; generated text, not checked by codi):" in out or (
        "answer was not used" in out
    )


def test_a_missing_model_file_is_a_clear_error(dockerfile: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["llm", "rank", "--model", str(tmp_path / "none.gguf"), str(dockerfile)]) == 2
    assert "none.gguf: no such file (the model is never downloaded)" in capsys.readouterr().err
