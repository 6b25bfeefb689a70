"""Composable Dockerfile fragments for the optimiser's candidates.

A module is a folder `codi/modules/<name>/` with `module.json` (name,
version, order, the changes it makes, typed parameters with defaults,
supported stacks, and `skip_when` conditions) and `fragment.Dockerfile.j2`.
Every change a fragment makes to the image (a USER, a HEALTHCHECK, a cache
mount) is declared in `changes`, so each candidate's rationale lists it and
the preservation check accepts it. A template marks where
each module goes with a `#--MODULE:<name>--#` line; `inject` renders the
modules in (order, name) order and puts each fragment in place of its marker.
Module versions are part of every candidate's identity.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jinja2

from codi.pipeline.optimize.model import Change
from codi.rules.catalog import CatalogError, load_yaml, validate

MODULE_FILE = "module.json"
FRAGMENT_FILE = "fragment.Dockerfile.j2"
MARKER = re.compile(r"^#--MODULE:([a-z0-9-]+)--#\n", re.MULTILINE)
_TYPES: dict[str, type | tuple[type, ...]] = {"string": str, "integer": int, "boolean": bool}


class ModuleError(ValueError):
    """A module used wrongly: unknown module or parameter, bad value, marker with no module."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any
    enum: tuple[Any, ...] | None
    nullable: bool

    def check(self, module: str, value: Any) -> None:
        if value is None and self.nullable:
            return
        expected = _TYPES[self.type]
        if not isinstance(value, expected) or (self.type == "integer" and isinstance(value, bool)):
            raise ModuleError(f"module {module}: parameter {self.name} must be a {self.type}, not {value!r}")
        if self.enum is not None and value not in self.enum:
            raise ModuleError(f"module {module}: parameter {self.name} must be one of {list(self.enum)}, not {value!r}")


@dataclass(frozen=True)
class SkipCondition:
    parameter: str
    equals: Any
    reason: str


@dataclass(frozen=True)
class Module:
    name: str
    version: str
    order: int
    description: str
    stacks: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    skip_when: tuple[SkipCondition, ...]
    changes: tuple[tuple[str, jinja2.Template], ...]
    """(kind, description template) of every change the fragment makes."""
    fragment: jinja2.Template

    def arguments(self, given: dict[str, Any]) -> dict[str, Any]:
        """Defaults overridden by `given`; unknown names and wrong types raise `ModuleError`."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise ModuleError(f"module {self.name}: unknown parameter(s) {', '.join(unknown)}")
        values = {name: given.get(name, p.default) for name, p in sorted(known.items())}
        for name, value in values.items():
            known[name].check(self.name, value)
        return values

    def skip_reason(self, values: dict[str, Any]) -> str | None:
        return next((c.reason for c in self.skip_when if values.get(c.parameter) == c.equals), None)

    def made_changes(self, values: dict[str, Any]) -> tuple[Change, ...]:
        """The declared changes, described with the parameter values the fragment was rendered with."""
        return tuple(Change(kind, description.render(values)) for kind, description in self.changes)


def environment(loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    """The Jinja2 settings of every template and fragment: strict, no escaping, newlines kept."""
    return jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def load_modules() -> dict[str, Module]:
    """Every packaged module, by name (validated against module.schema.json)."""
    root = resources.files(__package__)
    schema = json.loads(root.joinpath("module.schema.json").read_text(encoding="utf-8"))
    env = environment()
    modules: dict[str, Module] = {}
    for folder in sorted(root.iterdir(), key=lambda entry: entry.name):
        meta = folder.joinpath(MODULE_FILE)
        if not meta.is_file():
            continue
        fragment = folder.joinpath(FRAGMENT_FILE).read_text(encoding="utf-8")
        file = f"codi/modules/{folder.name}/{MODULE_FILE}"
        module = parse_module(meta.read_text(encoding="utf-8"), fragment, schema, file, env)
        if module.name != folder.name:
            raise CatalogError(file, None, "name", f"{module.name!r} is not its folder's name")
        modules[module.name] = module
    return modules


def parse_module(text: str, fragment: str, schema: dict[str, Any], file: str, env: jinja2.Environment) -> Module:
    """One module from its metadata (JSON is YAML: read with line numbers) and fragment text."""
    data = load_yaml(text, file)
    validate(data, schema, file)
    parameters = tuple(
        Parameter(name, spec["type"], spec.get("default"), tuple(spec["enum"]) if "enum" in spec else None,
                  bool(spec.get("nullable", False)))
        for name, spec in sorted(data["parameters"].items())
    )
    return Module(
        name=data["name"],
        version=data["version"],
        order=data["order"],
        description=data["description"],
        stacks=tuple(data["stacks"]),
        parameters=parameters,
        skip_when=tuple(SkipCondition(c["parameter"], c["equals"], c["reason"]) for c in data.get("skip_when", [])),
        changes=tuple((c["kind"], env.from_string(c["description"])) for c in data["changes"]),
        fragment=env.from_string(fragment),
    )


@dataclass(frozen=True)
class Injection:
    """What `inject` did: the text, the modules put in (name, version), the ones left out and why,
    and the changes the modules put in declare."""

    text: str
    module_versions: tuple[tuple[str, str], ...]
    skipped: tuple[tuple[str, str], ...]
    changes: tuple[Change, ...]


def inject(
    text: str,
    uses: list[tuple[str, dict[str, Any]]],
    context: dict[str, Any],
    stack: str,
    modules: dict[str, Module] | None = None,
) -> Injection:
    """Render `uses` (module name, parameter values) into the markers of a rendered template.

    Every marker must have a module and every module a marker. Fragments see
    the template's `context` plus their own parameters, and are rendered in
    (order, name) order.
    """
    modules = load_modules() if modules is None else modules
    markers = MARKER.findall(text)
    duplicated = sorted({name for name in markers if markers.count(name) > 1})
    if duplicated:
        raise ModuleError(f"marker(s) used twice: {', '.join(duplicated)}")
    wanted = {name for name, _ in uses}
    for name in wanted:
        if name not in modules:
            raise ModuleError(f"unknown module {name}")
        if stack not in modules[name].stacks:
            raise ModuleError(f"module {name} does not support the {stack} stack")
    no_module = sorted(set(markers) - wanted)
    if no_module:
        raise ModuleError(f"marker(s) with no module: {', '.join(no_module)}")
    no_marker = sorted(wanted - set(markers))
    if no_marker:
        raise ModuleError(f"module(s) with no marker in the template: {', '.join(no_marker)}")
    rendered: dict[str, str] = {}
    versions: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    changes: list[Change] = []
    for name, given in sorted(uses, key=lambda use: (modules[use[0]].order, use[0])):
        module = modules[name]
        values = module.arguments(given)
        reason = module.skip_reason(values)
        if reason is not None:
            rendered[name] = ""
            skipped.append((name, reason))
            continue
        rendered[name] = module.fragment.render({**context, **values})
        versions.append((name, module.version))
        changes.extend(module.made_changes(values))
    text = MARKER.sub(lambda m: rendered[m.group(1)], text)
    return Injection(text, tuple(versions), tuple(skipped), tuple(changes))
