r"""JSON schema → llama.cpp grammar (GBNF) for the local model's answers, and the check that the answer conforms.

The grammar is built by llama.cpp's own converter, with two changes that matter for a small model
whose text ends up in a pull-request comment:

- Every string needs `maxLength` and every array `maxItems`, so the model cannot ramble until
  `max_tokens` runs out; a schema without them is refused (`SchemaError`), not silently unbounded.
- The converter's `char` rule is replaced. The stock rule, `[^"\\] | "\\" (["\\/bfnrt] | "u" hex{4})`,
  lets raw control characters (U+0000–U+001F, U+007F) into strings, which strict JSON parsers reject,
  and its escapes (\n, \t, \u0000 …) decode to them. Ours allows neither: no raw control character and
  only the escapes \" \\ \/ (any other character, Unicode included, is written as itself).

Only the keywords the converter turns into a bounded grammar are accepted; anything else (`pattern`,
`format`, `anyOf`, `$ref`, `minimum` …) is refused rather than half-enforced.
"""

from __future__ import annotations

import functools
import importlib
import re
from types import ModuleType
from typing import Any

SAFE_CHAR = r'[^"\\\x00-\x1F\x7F] | "\\" ["\\/]'
"""The `char` rule in every grammar made here: what one character inside a JSON string may be."""

CONTROL_CHARS = re.compile("[\x00-\x1f\x7f]")

_ANNOTATIONS = {"title", "description"}
_KEYWORDS = {
    "object": {"type", "properties", "required", "additionalProperties"},
    "array": {"type", "items", "minItems", "maxItems"},
    "string": {"type", "minLength", "maxLength"},
    "integer": {"type"},
    "number": {"type"},
    "boolean": {"type"},
    "null": {"type"},
}
_LITERAL_KEYWORDS = {"type", "enum", "const"}
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


class SchemaError(ValueError):
    """The schema would let the model write unbounded output, or uses a keyword the grammar cannot enforce."""


class LlmUnavailable(ImportError):
    """llama-cpp-python, codi's optional `llm` extra, is not installed."""


def llama_cpp_module() -> ModuleType:
    """llama-cpp-python (with the submodules codi uses), imported on first need; raises `LlmUnavailable`."""
    try:
        for name in ("llama_cpp.llama_grammar", "llama_cpp.llama_chat_format"):
            importlib.import_module(name)
        return importlib.import_module("llama_cpp")
    except ImportError as error:
        message = f"llama-cpp-python is not installed ({error}); install codi[llm] to rank with a model"
        raise LlmUnavailable(message) from error


@functools.cache
def _safe_char_converter() -> type:
    """llama.cpp's converter with our `char` rule in place of the stock one."""
    grammar = llama_cpp_module().llama_grammar

    class SafeCharConverter(grammar.SchemaConverter):  # type: ignore[misc, name-defined]
        def _add_primitive(self, name: str, rule: Any) -> str:
            return super()._add_primitive(name, grammar.BuiltinRule(SAFE_CHAR, []) if name == "char" else rule)

    return SafeCharConverter


def schema_to_gbnf(schema: dict[str, Any]) -> str:
    """The grammar for answers that are a JSON object conforming to `schema`; raises `SchemaError` (or
    `LlmUnavailable`: the converter is llama.cpp's)."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise SchemaError('$: the answer must be an object ({"type": "object", ...})')
    _check_schema(schema, "$")
    converter = _safe_char_converter()(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)
    converter.visit(schema, "")
    return converter.format_grammar()


def schema_violation(value: Any, schema: dict[str, Any], where: str = "$") -> str | None:
    """Where and how `value` breaks `schema` (one of those `schema_to_gbnf` accepts), or None if it conforms."""
    if "const" in schema:
        return None if _same(value, schema["const"]) else f"{where}: expected {schema['const']!r}"
    if "enum" in schema:
        return None if any(_same(value, v) for v in schema["enum"]) else f"{where}: {value!r} is not in the enum"
    kind = schema["type"]
    if kind == "object":
        if not isinstance(value, dict):
            return f"{where}: expected an object"
        properties = schema["properties"]
        for name in schema.get("required", []):
            if name not in value:
                return f"{where}: missing {name!r}"
        for name, item in value.items():
            if name not in properties:
                return f"{where}: unexpected {name!r}"
            if problem := schema_violation(item, properties[name], f"{where}.{name}"):
                return problem
        return None
    if kind == "array":
        if not isinstance(value, list):
            return f"{where}: expected an array"
        if not schema.get("minItems", 0) <= len(value) <= schema["maxItems"]:
            return f"{where}: {len(value)} items, outside minItems..maxItems"
        for i, item in enumerate(value):
            if problem := schema_violation(item, schema["items"], f"{where}[{i}]"):
                return problem
        return None
    if kind == "string":
        if not isinstance(value, str):
            return f"{where}: expected a string"
        if not schema.get("minLength", 0) <= len(value) <= schema["maxLength"]:
            return f"{where}: {len(value)} characters, outside minLength..maxLength"
        if CONTROL_CHARS.search(value):
            return f"{where}: contains a control character"
        return None
    is_bool = isinstance(value, bool)
    if not isinstance(value, _PY_TYPES[kind]) or (is_bool and kind != "boolean"):
        return f"{where}: expected {kind}"
    return None


def _same(value: Any, literal: Any) -> bool:
    """JSON equality: `true` is not `1`."""
    return type(value) is type(literal) and value == literal


def _check_schema(schema: Any, where: str) -> None:
    if not isinstance(schema, dict):
        raise SchemaError(f"{where}: a schema must be an object")
    if "enum" in schema or "const" in schema:
        _only(schema, _LITERAL_KEYWORDS, where)
        return
    kind = schema.get("type")
    if not isinstance(kind, str) or kind not in _KEYWORDS:
        raise SchemaError(f"{where}: type must be one of {sorted(_KEYWORDS)} (or use enum/const), not {kind!r}")
    _only(schema, _KEYWORDS[kind], where)
    if kind == "object":
        properties = schema.get("properties")
        if not isinstance(properties, dict) or not properties:
            raise SchemaError(f"{where}: an object needs properties (a free-form object is unbounded)")
        if schema.get("additionalProperties", False) is not False:
            raise SchemaError(f"{where}: additionalProperties must be false (extra properties are unbounded)")
        if unknown := set(schema.get("required", [])) - properties.keys():
            raise SchemaError(f"{where}: required names unknown properties {sorted(unknown)}")
        for name, sub in properties.items():
            _check_schema(sub, f"{where}.{name}")
    elif kind == "array":
        _bounds(schema, "minItems", "maxItems", "an array", where)
        if not isinstance(schema.get("items"), dict):
            raise SchemaError(f"{where}: an array needs one items schema")
        _check_schema(schema["items"], f"{where}[]")
    elif kind == "string":
        _bounds(schema, "minLength", "maxLength", "a string", where)


def _only(schema: dict[str, Any], allowed: set[str], where: str) -> None:
    if extra := schema.keys() - allowed - _ANNOTATIONS:
        raise SchemaError(f"{where}: unsupported keyword(s) {sorted(extra)}; allowed here: {sorted(allowed)}")


def _bounds(schema: dict[str, Any], low_key: str, high_key: str, what: str, where: str) -> None:
    if high_key not in schema:
        raise SchemaError(f"{where}: {what} needs {high_key}, so the model's output stays bounded")
    low, high = schema.get(low_key, 0), schema[high_key]
    if not all(type(n) is int and n >= 0 for n in (low, high)) or low > high:
        raise SchemaError(f"{where}: {low_key}/{high_key} must be integers with 0 <= {low_key} <= {high_key}")
