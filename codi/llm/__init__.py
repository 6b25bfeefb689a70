"""The local LLM edge: a GGUF model run by llama.cpp that answers with schema-bound JSON, behind an air gap."""

from codi.llm.airgap import AirGap, AirGapViolation
from codi.llm.engine import LlmCall, LocalModel
from codi.llm.grammar import SchemaError
from codi.llm.model_path import ModelNotFound, bundled_model_path, model_path_from_env

__all__ = [
    "AirGap",
    "AirGapViolation",
    "LlmCall",
    "LocalModel",
    "ModelNotFound",
    "SchemaError",
    "bundled_model_path",
    "model_path_from_env",
]
