"""GitHub's REST OpenAPI description, loaded once, as operations that validate requests and responses.

The description is OpenAPI 3.0 (`nullable`, `discriminator`), so schemas are checked with
openapi-schema-validator's OAS30 validator. `$ref`s are resolved once into a shared (possibly
cyclic) object graph: validation then never goes through a reference resolver, which keeps a
check of a large response (a pull request) in the low milliseconds.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker

ROOT = Path(__file__).resolve().parents[2]


@cache
def github_reference_dir() -> Path:
    """Where GitHub's reference data lies: scripts/github-fixtures fetches it from npm (sha256-pinned) if missing.

    Running the script here, not only from scripts/test, lets a bare `pytest` on a fresh clone find it too.
    """
    fixtures = subprocess.run(
        [sys.executable, ROOT / "scripts" / "github-fixtures"], check=True, stdout=subprocess.PIPE, text=True
    )
    return Path(fixtures.stdout.splitlines()[-1])


def openapi_path() -> Path:
    """GitHub's REST API description for api.github.com (npm @octokit/openapi, generated/api.github.com.json)."""
    return github_reference_dir() / "rest-api.github.com.openapi.json"


def webhook_examples_path() -> Path:
    """GitHub's example webhook payloads (npm @octokit/webhooks-examples, api.github.com/index.json)."""
    return github_reference_dir() / "webhook-examples.json"

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _error_text(error: ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "(root)"
    rule = f"{error.validator}={error.validator_value!r}"[:80]
    return f"{where}: {error.message[:240]} [{rule}]"


class Schema:
    """One resolved schema with a lazily built validator."""

    def __init__(self, resolved: dict[str, Any]):
        self.resolved = resolved
        self._validator: OAS30Validator | None = None

    def errors(self, instance: Any) -> list[str]:
        if self._validator is None:
            self._validator = OAS30Validator(self.resolved, format_checker=oas30_format_checker)
        return sorted(_error_text(error) for error in self._validator.iter_errors(instance))


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema: Schema
    multi_segment: bool


@dataclass
class Operation:
    """One method on one path template, with what a request to it must satisfy."""

    operation_id: str
    method: str
    template: str
    parameters: dict[tuple[str, str], Parameter]
    body: Schema | None
    body_required: bool
    responses: dict[str, Schema | None]
    """Status code → JSON schema of the response body (None: no JSON body)."""
    examples: dict[str, list[Any]]
    """Status code → GitHub's examples for that response, in the order the description lists them."""
    pattern: re.Pattern[str] = field(init=False)
    path_names: list[str] = field(init=False)
    literal_segments: int = field(init=False)

    def __post_init__(self) -> None:
        regex = ""
        self.path_names = []
        for piece in re.split(r"(\{[^}]+\})", self.template):
            if piece.startswith("{"):
                name = piece[1:-1]
                self.path_names.append(name)
                multi = self.parameters.get(("path", name))
                regex += "(.+)" if multi is not None and multi.multi_segment else "([^/]+)"
            else:
                regex += re.escape(piece)
        self.pattern = re.compile(regex + r"\Z")
        self.literal_segments = sum(1 for part in self.template.split("/") if part and not part.startswith("{"))

    def example(self, status: str, index: int = 0) -> Any:
        """A deep copy of GitHub's example response, to adapt to the fake's state."""
        return copy.deepcopy(self.examples[status][index])

    def request_errors(self, path_params: dict[str, str], query: dict[str, list[str]], body: Any) -> list[str]:
        errors: list[str] = []
        for (location, name), parameter in self.parameters.items():
            if location == "path":
                errors += [f"path parameter {name}: {e}" for e in parameter.schema.errors(
                    _coerce(path_params[name], parameter.schema.resolved))]
            elif name in query:
                values = query[name]
                if len(values) > 1 and parameter.schema.resolved.get("type") != "array":
                    errors.append(f"query parameter {name}: given {len(values)} times")
                value = values if parameter.schema.resolved.get("type") == "array" else values[-1]
                errors += [f"query parameter {name}: {e}" for e in parameter.schema.errors(
                    _coerce(value, parameter.schema.resolved))]
            elif parameter.required:
                errors.append(f"query parameter {name} is required")
        unknown = sorted(set(query) - {name for location, name in self.parameters if location == "query"})
        errors += [f"query parameter {name} is not defined for {self.operation_id}" for name in unknown]
        if self.body is None:
            if body is not None:
                errors.append(f"{self.operation_id} takes no request body")
        elif body is None:
            if self.body_required:
                errors.append(f"{self.operation_id} requires a JSON request body")
        else:
            errors += [f"body {e}" for e in self.body.errors(body)]
        return errors

    def response_errors(self, status: int, body: Any) -> list[str]:
        """Errors of a response body against the schema documented for that status (none if undocumented)."""
        key = str(status)
        if key not in self.responses:
            return [f"{self.operation_id} documents no {status} response"]
        schema = self.responses[key]
        if schema is None:
            return [] if body is None else [f"{self.operation_id} documents no body for {status}"]
        return [f"response {status} {e}" for e in schema.errors(body)]


def _coerce(raw: Any, schema: dict[str, Any]) -> Any:
    """Turn a path or query string into the JSON type its schema names; leave it when it does not parse."""
    kind = schema.get("type")
    if isinstance(raw, list):
        items = schema.get("items", {})
        return [_coerce(item, items) for part in raw for item in part.split(",")]
    if kind == "integer" and re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


class _Resolver:
    """Replaces every `$ref` by the object it names, sharing objects so cycles stay finite."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.resolved: dict[str, Any] = {}

    def target(self, pointer: str) -> Any:
        node: Any = self.document
        for part in pointer.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            pointer = node["$ref"]
            if pointer not in self.resolved:
                raw = self.target(pointer)
                if isinstance(raw, dict):
                    placeholder: dict[str, Any] = {}
                    self.resolved[pointer] = placeholder
                    placeholder.update(self.resolve(raw))
                else:
                    self.resolved[pointer] = self.resolve(raw)
            return self.resolved[pointer]
        return self.normalise({key: self.resolve(value) for key, value in node.items()})

    def normalise(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Give two OpenAPI 3.0 notions the JSON Schema meaning GitHub relies on.

        `nullable` with an `enum` lacking null (GitHub's `conclusion` of a running check run is null)
        admits null; a `oneOf` with a `discriminator` mapping picks its branch by the property's
        value (a file in `contents/` also fits the looser submodule and symlink shapes).
        """
        if schema.get("nullable") and "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        discriminator = schema.get("discriminator")
        if discriminator and "oneOf" in schema and "mapping" in discriminator:
            del schema["discriminator"]  # the validator would follow its mapping as `$ref`s, which are gone
            prop = discriminator["propertyName"]
            values_by_branch: dict[int, list[str]] = {}
            for value, pointer in discriminator["mapping"].items():
                values_by_branch.setdefault(id(self.resolved.get(pointer)), []).append(value)
            schema["oneOf"] = [
                {"allOf": [{"required": [prop], "properties": {prop: {"enum": values_by_branch[id(branch)]}}}, branch]}
                if id(branch) in values_by_branch
                else branch
                for branch in schema["oneOf"]
            ]
        return schema


@dataclass
class Match:
    operation: Operation
    path_params: dict[str, str]


class GitHubRestSpec:
    """Every operation of GitHub's REST API, found by method and concrete path."""

    def __init__(self, document: dict[str, Any]):
        resolver = _Resolver(document)
        self.by_method: dict[str, list[Operation]] = {}
        self.by_id: dict[str, Operation] = {}
        for template, item in document["paths"].items():
            for method, raw in item.items():
                if method not in _METHODS:
                    continue
                operation = _operation(resolver, method.upper(), template, raw)
                self.by_method.setdefault(operation.method, []).append(operation)
                self.by_id[operation.operation_id] = operation
        for operations in self.by_method.values():
            # Literal segments win over parameters (`/pulls/comments/{id}` before `/pulls/{number}`).
            operations.sort(key=lambda op: (-op.literal_segments, op.template.count("{")))

    def match(self, method: str, path: str) -> Match | None:
        for operation in self.by_method.get(method.upper(), ()):
            found = operation.pattern.match(path)
            if found:
                values = (unquote(value) for value in found.groups())
                return Match(operation, dict(zip(operation.path_names, values)))
        return None


def _operation(resolver: _Resolver, method: str, template: str, raw: dict[str, Any]) -> Operation:
    parameters = {}
    for declared in raw.get("parameters", []):
        parameter = resolver.resolve(declared)
        parameters[(parameter["in"], parameter["name"])] = Parameter(
            name=parameter["name"],
            location=parameter["in"],
            required=parameter.get("required", False),
            schema=Schema(parameter.get("schema", {})),
            multi_segment=bool(parameter.get("x-multi-segment")),
        )
    body = None
    body_required = False
    if "requestBody" in raw:
        request_body = resolver.resolve(raw["requestBody"])
        json_body = request_body.get("content", {}).get("application/json")
        if json_body is not None:
            body = Schema(json_body["schema"])
            body_required = request_body.get("required", False)
    responses: dict[str, Schema | None] = {}
    examples: dict[str, list[Any]] = {}
    for status, declared in raw.get("responses", {}).items():
        response = resolver.resolve(declared)
        content = response.get("content", {}).get("application/json")
        responses[status] = Schema(content["schema"]) if content and "schema" in content else None
        if content and "examples" in content:
            examples[status] = [example["value"] for example in content["examples"].values() if "value" in example]
    return Operation(raw["operationId"], method, template, parameters, body, body_required, responses, examples)


@cache
def load_spec() -> GitHubRestSpec:
    """Parse the 13 MB description once per process."""
    return GitHubRestSpec(json.loads(openapi_path().read_text()))
