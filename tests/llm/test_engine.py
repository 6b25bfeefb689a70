"""The local model on the real llama.cpp path: load, grammar-bound answers, and each way a call can fail."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from codi.llm import LlmCall, LocalModel, ModelNotFound, SchemaError, model_path_from_env
from codi.llm.grammar import CONTROL_CHARS, schema_violation

SYSTEM = "You review Dockerfile optimisation candidates for a pull request. Answer only with JSON."
QUESTION = (
    "Candidate 1:\nFROM python:3.11\nCOPY . .\nRUN pip install -r requirements.txt\n\n"
    "Candidate 2:\nFROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
    "COPY . .\n\nRank the candidates, best first, and say why."
)
RANKING = {
    "type": "object",
    "properties": {
        "best": {"type": "integer"},
        "order": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 4},
        "reason": {"type": "string", "maxLength": 160},
    },
    "required": ["best", "order", "reason"],
    "additionalProperties": False,
}
LONG_ANSWER = {
    "type": "object",
    "properties": {"reason": {"type": "string", "minLength": 550, "maxLength": 600}},
    "required": ["reason"],
}
"""At least 550 characters: a call that cannot end early, for the timeout."""


def ask(
    model: LocalModel, schema: dict[str, Any] = RANKING, *, max_tokens: int = 256, timeout_s: float = 60
) -> LlmCall:
    return model.complete_json(SYSTEM, QUESTION, schema, max_tokens, timeout_s)


def test_the_bundled_model_loads_once_per_process(model: LocalModel, model_path: Path, tmp_path: Path) -> None:
    assert model.name == "SmolLM2-135M-Instruct.Q4_1"
    assert LocalModel.shared(model_path) is model
    with pytest.raises(ValueError, match="one model per process"):
        LocalModel.shared(tmp_path / "other.gguf")


def test_the_model_path_comes_from_the_environment(model_path: Path, tmp_path: Path) -> None:
    assert model_path_from_env({"CODI_LLM_MODEL_PATH": str(model_path)}) == model_path
    with pytest.raises(ModelNotFound, match="CODI_LLM_MODEL_PATH is not set"):
        model_path_from_env({})
    with pytest.raises(ModelNotFound, match="no such file"):
        model_path_from_env({"CODI_LLM_MODEL_PATH": str(tmp_path / "missing.gguf")})


def test_the_answer_is_json_that_conforms_with_its_telemetry(model: LocalModel) -> None:
    call = ask(model)
    assert call.error is None, call
    assert schema_violation(call.parsed, RANKING) is None
    assert not CONTROL_CHARS.search(call.text)
    assert call.model == "SmolLM2-135M-Instruct.Q4_1"
    assert call.prompt_tokens > 50 and 0 < call.output_tokens <= 256
    assert 0 < call.latency_s < 60


def test_the_same_prompt_gives_the_same_answer(model: LocalModel) -> None:
    first = ask(model)
    model.complete_json(SYSTEM, "Which base image is smallest?", RANKING, 40, 60)  # the cache now holds another prompt
    assert ask(model).text == first.text


def test_calls_take_turns(model: LocalModel) -> None:
    """One llama.cpp context cannot serve two generations (without the lock two calls at once hung): they take turns."""
    alone = ask(model, max_tokens=60)
    together: list[LlmCall] = []
    threads = [
        threading.Thread(target=lambda: together.append(ask(model, max_tokens=60)), daemon=True) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [call.text for call in together] == [alone.text, alone.text]


def test_an_answer_cut_short_is_invalid_json(model: LocalModel) -> None:
    call = ask(model, max_tokens=6)
    assert call.parsed is None
    assert call.error is not None and call.error.startswith("invalid-json: ")
    assert call.text.startswith("{") and call.output_tokens == 6


def test_a_call_past_its_deadline_stops_with_timeout(model: LocalModel) -> None:
    call = ask(model, LONG_ANSWER, max_tokens=200, timeout_s=0.3)
    assert call.error == "timeout"
    assert call.parsed is None
    assert call.output_tokens < 200
    assert call.latency_s < 5  # the deadline is checked after every token, not at the end


def test_a_prompt_too_long_for_the_context_is_a_model_error(model: LocalModel) -> None:
    call = model.complete_json(SYSTEM, "FROM alpine\n" * 3000, RANKING, 20, 60)
    assert call.parsed is None
    assert call.error is not None and call.error.startswith("model-error: ")
    assert "context window" in call.error


def test_an_unbounded_schema_is_refused_before_generating(model: LocalModel) -> None:
    with pytest.raises(SchemaError, match=r"\$\.reason: a string needs maxLength"):
        model.complete_json(SYSTEM, QUESTION, {"type": "object", "properties": {"reason": {"type": "string"}}}, 20, 60)
