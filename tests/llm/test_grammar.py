"""The schema → grammar conversion: bounded output, no control characters, and refusals that say what to fix."""

from __future__ import annotations

import json
from typing import Any

import pytest
from llama_cpp.llama_grammar import json_schema_to_gbnf

from codi.llm import SchemaError
from codi.llm.grammar import SAFE_CHAR, schema_to_gbnf, schema_violation
from tests.llm.conftest import GrammarOracle


def note(**string: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"note": {"type": "string", **string}}, "required": ["note"]}


RANKING = {
    "type": "object",
    "properties": {
        "best": {"type": "integer"},
        "order": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3},
        "verdict": {"enum": ["keep", "replace"]},
        "reason": {"type": "string", "maxLength": 40},
        "confident": {"type": "boolean"},
    },
    "required": ["best", "order", "verdict", "reason"],
    "additionalProperties": False,
}


def test_the_char_rule_is_ours() -> None:
    assert f"char ::= {SAFE_CHAR}" in schema_to_gbnf(note(maxLength=10)).splitlines()


@pytest.mark.parametrize(
    "inside",
    ["\x00", "\x01", "\t", "\n", "\r", "\x1b", "\x1f", "\x7f", r"\n", r"\t", r"\u0000", r"\u001b", r"\b", r"\f"],
)
def test_no_control_character_gets_into_a_string(grammar: GrammarOracle, inside: str) -> None:
    """Neither raw (which strict JSON rejects) nor as an escape (which decodes to one)."""
    text = '{"note": "a' + inside + 'b"}'
    assert not grammar.accepts(schema_to_gbnf(note(maxLength=10)), text)


def test_the_stock_converter_lets_a_raw_newline_through(grammar: GrammarOracle) -> None:
    """Why the char rule is replaced: the model really wrote `");\\n\\nThe answer …"` under the stock grammar."""
    stock = json_schema_to_gbnf(json.dumps(note(maxLength=10)))
    assert grammar.accepts(stock, '{"note": "a\nb"}')
    assert grammar.accepts(stock, '{"note": "a\x01b"}')


@pytest.mark.parametrize(
    "value",
    ["plain words", "ünïcödé ✓ 漢字", 'say \\"hi\\"', "a\\\\b", "a\\/b", ""],
)
def test_ordinary_text_and_safe_escapes_are_allowed(grammar: GrammarOracle, value: str) -> None:
    assert grammar.accepts(schema_to_gbnf(note(maxLength=20)), '{"note": "' + value + '"}')


def test_string_length_is_bounded(grammar: GrammarOracle) -> None:
    gbnf = schema_to_gbnf(note(minLength=2, maxLength=5))
    assert grammar.accepts(gbnf, '{"note": "abcde"}')
    assert grammar.accepts(gbnf, '{"note": "a\\"b"}')  # an escape is one character
    assert not grammar.accepts(gbnf, '{"note": "abcdef"}')
    assert not grammar.accepts(gbnf, '{"note": "a"}')


def test_array_length_is_bounded(grammar: GrammarOracle) -> None:
    gbnf = schema_to_gbnf(RANKING)
    answer = '{"best": 1, "order": [%s], "verdict": "keep", "reason": "smaller"}'
    assert grammar.accepts(gbnf, answer % "1, 2, 3")
    assert not grammar.accepts(gbnf, answer % "1, 2, 3, 4")
    assert not grammar.accepts(gbnf, answer % "")


def test_the_answer_has_the_schemas_shape(grammar: GrammarOracle) -> None:
    gbnf = schema_to_gbnf(RANKING)
    assert grammar.accepts(gbnf, '{"best": 2, "order": [2], "verdict": "replace", "reason": "", "confident": true}')
    assert not grammar.accepts(gbnf, '{"best": 2, "order": [2], "verdict": "maybe", "reason": ""}')
    assert not grammar.accepts(gbnf, '{"best": 2, "order": [2], "verdict": "keep"}')
    assert not grammar.accepts(gbnf, '{"best": 2, "order": [2], "verdict": "keep", "reason": "", "extra": 1}')
    assert not grammar.accepts(gbnf, '{"best": 2, "order": [2], "verdict": "keep", "reason": ""} trailing')


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        (note(), "$.note: a string needs maxLength"),
        (
            {"type": "object", "properties": {"steps": {"type": "array", "items": {"type": "integer"}}}},
            "$.steps: an array needs maxItems",
        ),
        (
            {"type": "object", "properties": {"steps": {"type": "array", "items": {"type": "string"}, "maxItems": 3}}},
            "$.steps[]: a string needs maxLength",
        ),
        ({"type": "object", "properties": {"meta": {"type": "object"}}}, "$.meta: an object needs properties"),
        ({**note(maxLength=5), "additionalProperties": True}, "$: additionalProperties must be false"),
        (note(maxLength=5, pattern="^a"), "$.note: unsupported keyword(s) ['pattern']"),
        (note(maxLength=5, minLength=6), "$.note: minLength/maxLength must be integers"),
        ({"type": "object", "properties": {"n": {"type": ["integer", "null"]}}}, "$.n: type must be one of"),
        ({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["m"]}, "unknown properties ['m']"),
        ({"type": "array", "items": {"type": "integer"}, "maxItems": 2}, "$: the answer must be an object"),
    ],
)
def test_a_schema_that_leaves_output_unbounded_is_refused(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError) as refused:
        schema_to_gbnf(schema)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"best": 1, "order": [1, 2], "verdict": "keep", "reason": "ok"}, None),
        ({"best": 1, "order": [1, 2], "verdict": "keep"}, "$: missing 'reason'"),
        ({"best": True, "order": [1], "verdict": "keep", "reason": ""}, "$.best: expected integer"),
        ({"best": 1, "order": [1, 2, 3, 4], "verdict": "keep", "reason": ""}, "$.order: 4 items"),
        ({"best": 1, "order": [1, "2"], "verdict": "keep", "reason": ""}, "$.order[1]: expected integer"),
        ({"best": 1, "order": [1], "verdict": "drop", "reason": ""}, "$.verdict: 'drop' is not in the enum"),
        ({"best": 1, "order": [1], "verdict": "keep", "reason": "x" * 41}, "$.reason: 41 characters"),
        ({"best": 1, "order": [1], "verdict": "keep", "reason": "a\tb"}, "$.reason: contains a control character"),
        ({"best": 1, "order": [1], "verdict": "keep", "reason": "", "why": 1}, "$: unexpected 'why'"),
    ],
)
def test_schema_violation_says_where(value: dict[str, Any], problem: str | None) -> None:
    found = schema_violation(value, RANKING)
    assert found == problem if problem is None else found is not None and found.startswith(problem)
