"""The local LLM edge: a GGUF model run by llama.cpp that answers with schema-bound JSON, behind an air gap.

llama-cpp-python is the optional `llm` extra; importing this package never needs it (see `load_model`)."""

from codi.llm.airgap import AirGap, AirGapViolation
from codi.llm.engine import LlmCall, LocalModel, load_model
from codi.llm.grammar import LlmUnavailable, SchemaError
from codi.llm.model_path import ModelNotFound, bundled_model_path, model_path_from_env

__all__ = [
    "AirGap",
    "AirGapViolation",
    "LlmCall",
    "LlmUnavailable",
    "LocalModel",
    "ModelNotFound",
    "SchemaError",
    "bundled_model_path",
    "load_model",
    "model_path_from_env",
]
