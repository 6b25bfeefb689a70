"""The optimiser's rules catalog: stacks → strategies → template, modules, runtime images.

`catalog.yml` (package data) is read with ruamel.yaml's round-trip loader,
which keeps line numbers, and validated against `catalog.schema.json`; an
invalid catalog raises `CatalogError` naming the file, the line and the key,
like a bad `.codi.yml` does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from codi.pipeline.optimize.model import STRATEGIES, Stack, Strategy

CATALOG_FILE = "catalog.yml"


class CatalogError(ValueError):
    """An invalid catalog (or module metadata): `file:line: key: problem`."""

    def __init__(self, file: str, line: int | None, key: str, problem: str) -> None:
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {key or '(top level)'}: {problem}")
        self.file, self.line, self.key, self.problem = file, line, key, problem


@dataclass(frozen=True)
class ModuleUse:
    """A module a strategy injects, with the parameter values the catalog gives it."""

    name: str
    parameters: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class StrategyRule:
    """How one stack's strategy is rendered, or why it is not (`skip`)."""

    skip: str | None = None
    template: str | None = None
    runtime: tuple[tuple[str, str], ...] = ()
    """(distro family, runtime image pattern), e.g. ("debian", "python:{version}-slim-{suite}")."""
    runtime_shell: bool = True
    healthcheck_tool: str = "none"
    versions: tuple[str, ...] | None = None
    modules: tuple[ModuleUse, ...] = ()

    def runtime_for(self, family: str) -> str | None:
        return dict(self.runtime).get(family)


@dataclass(frozen=True)
class StackRule:
    """The catalog entry of one stack."""

    images: tuple[str, ...]
    version: re.Pattern[str]
    strategies: tuple[tuple[Strategy, StrategyRule], ...]

    def strategy(self, name: Strategy) -> StrategyRule:
        return dict(self.strategies)[name]


@dataclass(frozen=True)
class Catalog:
    default_suite: str
    default_alpine: str
    weights: tuple[tuple[str, float], ...]
    """The ranking's points per unit of each measure (documented in catalog.yml)."""
    strategy_risk: tuple[tuple[Strategy, float], ...]
    stacks: tuple[tuple[Stack, StackRule], ...]

    def stack(self, name: Stack) -> StackRule | None:
        return dict(self.stacks).get(name)


def load_catalog(text: str | None = None, file: str = CATALOG_FILE) -> Catalog:
    """Parse and validate a catalog; the packaged one when `text` is None."""
    if text is None:
        text = resources.files(__package__).joinpath(CATALOG_FILE).read_text(encoding="utf-8")
    data = load_yaml(text, file)
    validate(data, _schema("catalog.schema.json"), file)
    return _build(data, file)


def load_yaml(text: str, file: str) -> Any:
    """Round-trip YAML (keeps line numbers for error messages)."""
    try:
        return YAML(typ="rt").load(text)
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise CatalogError(file, line, "", f"not valid YAML: {getattr(error, 'problem', error)}") from None


def _schema(name: str) -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def validate(data: Any, schema: dict[str, Any], file: str) -> None:
    """Raise `CatalogError` for the most relevant schema violation, at the line of its key."""
    error = best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is None:
        return
    path = list(error.absolute_path)
    raise CatalogError(file, line_of(data, path), ".".join(str(p) for p in path), error.message)


def line_of(data: Any, path: list[Any]) -> int | None:
    """1-based line of the deepest key/item of `path` that ruamel recorded."""
    line = None
    node = data
    for part in path:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0] + 1
        else:
            break
        node = node[part]
    return line


def _build(data: Any, file: str) -> Catalog:
    stacks = []
    for stack_name in sorted(data["stacks"]):
        entry = data["stacks"][stack_name]
        try:
            pattern = re.compile(entry["version"])
        except re.error as error:
            raise CatalogError(file, line_of(data, ["stacks", stack_name, "version"]), f"stacks.{stack_name}.version",
                               f"not a regular expression: {error}") from None
        strategies = tuple(
            (name, _strategy(entry["strategies"][name])) for name in ("multi-stage", "minimal")
        )
        stacks.append((stack_name, StackRule(tuple(entry["images"]), pattern, strategies)))
    return Catalog(
        default_suite=str(data["default_suite"]),
        default_alpine=str(data["default_alpine"]),
        weights=tuple(sorted((str(k), float(v)) for k, v in data["weights"].items())),
        strategy_risk=tuple((name, float(data["strategy_risk"][name])) for name in STRATEGIES),
        stacks=tuple(stacks),
    )


def _strategy(entry: Any) -> StrategyRule:
    if "skip" in entry:
        return StrategyRule(skip=str(entry["skip"]))
    return StrategyRule(
        template=str(entry["template"]),
        runtime=tuple(sorted((str(k), str(v)) for k, v in entry["runtime"].items())),
        runtime_shell=bool(entry["runtime_shell"]),
        healthcheck_tool=str(entry["healthcheck_tool"]),
        versions=tuple(str(v) for v in entry["versions"]) if "versions" in entry else None,
        modules=tuple(
            ModuleUse(str(use["name"]), _plain(dict(use.get("parameters") or {}))) for use in entry["modules"]
        ),
    )


def _plain(value: Any) -> Any:
    """ruamel's round-trip containers as plain, hashable values (lists become tuples)."""
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _plain(v)) for k, v in value.items()))
    return value
