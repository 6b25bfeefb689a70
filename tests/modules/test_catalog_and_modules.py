"""The rules catalog (schema errors with file/line/key) and the module mechanics (order, identity, strictness)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jinja2
import pytest

from codi.modules import ModuleError, environment, inject, load_modules, parse_module
from codi.pipeline.optimize.optimizer import optimize
from codi.pipeline.optimize.model import Candidate, Change, Estimate
from codi.rules.catalog import CatalogError, load_catalog

DEPS_STACKS = ("go", "java", "node", "python", "ruby", "rust")
PACKAGED = resources.files("codi.rules.catalog").joinpath("catalog.yml").read_text(encoding="utf-8")


def test_packaged_catalog_loads_with_every_stack_and_the_weights() -> None:
    catalog = load_catalog()
    assert {name for name, _ in catalog.stacks} == {
        "python", "node", "go", "java", "rust", "ruby", "php", "dotnet", "static", "generic"
    }
    assert dict(catalog.weights)["smoke"] > 0 > dict(catalog.weights)["strategy_risk"]
    assert dict(catalog.strategy_risk)["minimal"] > dict(catalog.strategy_risk)["fixes"]


def test_every_catalog_template_and_module_exists() -> None:
    modules = load_modules()
    folder = resources.files("codi.modules").joinpath("templates")
    for _, stack in load_catalog().stacks:
        for _, rule in stack.strategies:
            if rule.skip is None:
                assert folder.joinpath(f"{rule.template}.Dockerfile.j2").is_file(), rule.template
                assert all(use.name in modules for use in rule.modules)


def test_schema_error_names_file_line_and_key() -> None:
    text = PACKAGED.replace("  layers: 5\n", "  layers: many\n")
    line = text.splitlines().index("  layers: many") + 1
    with pytest.raises(CatalogError) as error:
        load_catalog(text, file="catalog.yml")
    assert (error.value.file, error.value.line, error.value.key) == ("catalog.yml", line, "weights.layers")
    assert str(error.value).startswith(f"catalog.yml:{line}: weights.layers: ")


def test_unknown_key_in_a_strategy_is_reported_at_its_strategy() -> None:
    text = PACKAGED.replace("        template: go-minimal\n", "        template: go-minimal\n        tempalte: x\n")
    with pytest.raises(CatalogError) as error:
        load_catalog(text)
    assert error.value.key == "stacks.go.strategies.minimal"
    assert text.splitlines()[error.value.line - 1].strip() == "minimal:"


def test_yaml_syntax_error_has_a_line() -> None:
    with pytest.raises(CatalogError) as error:
        load_catalog("weights: [1, 2\nstacks: {}\n", file="bad.yml")
    assert error.value.line is not None and "not valid YAML" in str(error.value)


def test_modules_render_in_order_then_name_and_report_versions() -> None:
    text = "FROM x\n#--MODULE:healthcheck--#\n#--MODULE:security--#\n#--MODULE:deps-go--#\n"
    uses = [("healthcheck", {"tool": "python", "port": 80}), ("security", {}), ("deps-go", {})]
    result = inject(text, uses, {}, "go")
    assert result.module_versions == (("deps-go", "2.0.0"), ("security", "1.1.0"), ("healthcheck", "1.1.0"))
    lines = result.text.splitlines()
    assert lines.index("USER 10001:10001") > lines.index("FROM x")
    assert result.text.index("HEALTHCHECK") < result.text.index("USER 10001:10001")


def test_a_skipped_module_leaves_nothing_and_says_why() -> None:
    result = inject("FROM x\n#--MODULE:healthcheck--#\n", [("healthcheck", {"tool": "node"})], {}, "node")
    assert result.text == "FROM x\n"
    assert result.module_versions == ()
    assert result.skipped == (("healthcheck", "no port is exposed, so there is nothing to probe"),)


def test_module_version_is_part_of_the_candidate_identity() -> None:
    estimate = Estimate(None, None, 0, 0, "test")
    one = Candidate("minimal", "FROM x\n", (), estimate, module_versions=(("security", "1.0.0"),))
    two = Candidate("minimal", "FROM x\n", (), estimate, module_versions=(("security", "1.0.1"),))
    assert one.identity != two.identity


@pytest.mark.parametrize(
    ("text", "uses", "message"),
    [
        ("#--MODULE:security--#\n", [("security", {"colour": "red"})], "unknown parameter(s) colour"),
        ("#--MODULE:security--#\n", [("security", {"uid": "root"})], "uid must be a integer"),
        ("#--MODULE:security--#\n", [("security", {"family": "arch"})], "family must be one of"),
        (
            "#--MODULE:security--#\n#--MODULE:healthcheck--#\n",
            [("security", {})],
            "marker(s) with no module: healthcheck",
        ),
        ("FROM x\n", [("security", {})], "module(s) with no marker in the template: security"),
        ("#--MODULE:nope--#\n", [("nope", {})], "unknown module nope"),
        ("#--MODULE:deps-go--#\n", [("deps-go", {})], "does not support the python stack"),
    ],
)
def test_module_misuse_is_a_clear_error(text: str, uses: list, message: str) -> None:
    stack = "python" if "deps-go" in text else "go"
    with pytest.raises(ModuleError) as error:
        inject(text, uses, {}, stack)
    assert message in str(error.value)


def test_strict_undefined_catches_a_missing_variable() -> None:
    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("FROM {{ runtime_image }}\n").render({})


def test_module_metadata_is_schema_checked() -> None:
    schema_text = resources.files("codi.modules").joinpath("module.schema.json").read_text(encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        parse_module(
            '{"name": "x", "version": "one", "order": 1, "description": "d", "stacks": ["go"], '
            '"changes": [{"kind": "user", "description": "d"}], "parameters": {}}',
            "",
            json.loads(schema_text),
            "x/module.json",
            environment(),
        )
    assert (error.value.file, error.value.line, error.value.key) == ("x/module.json", 1, "version")


def test_a_module_without_declared_changes_is_a_schema_error() -> None:
    schema_text = resources.files("codi.modules").joinpath("module.schema.json").read_text(encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        parse_module(
            '{"name": "x", "version": "1.0.0", "order": 1, "description": "d", "stacks": ["go"], "parameters": {}}',
            "",
            json.loads(schema_text),
            "x/module.json",
            environment(),
        )
    assert "changes" in str(error.value)


@pytest.mark.parametrize(
    ("module", "kind"),
    [("security", "user"), ("healthcheck", "healthcheck"), *((f"deps-{s}", "cache-mount") for s in DEPS_STACKS)],
)
def test_every_module_declares_the_change_it_makes(module: str, kind: str) -> None:
    assert kind in [change_kind for change_kind, _ in load_modules()[module].changes]


def test_inject_reports_the_changes_of_the_modules_it_put_in() -> None:
    text = "FROM x\n#--MODULE:healthcheck--#\n#--MODULE:security--#\n"
    result = inject(text, [("healthcheck", {"tool": "python", "port": 80}), ("security", {"shell": False})], {}, "go")
    assert result.changes == (
        Change("user", "runs as the numeric non-root user 10001:10001"),
        Change("healthcheck", "a HEALTHCHECK probes port 80 with the runtime's python every 30s"),
    )
    skipped = inject("FROM x\n#--MODULE:healthcheck--#\n", [("healthcheck", {"tool": "node"})], {}, "node")
    assert skipped.changes == ()


def test_a_healthcheck_candidate_passes_the_preservation_check() -> None:
    """Corpus 0190: the HEALTHCHECK the module adds used to be an unlisted change, so the candidate was rejected."""
    text = (Path(__file__).parents[1] / "optimize" / "golden" / "python" / "Dockerfile").read_text()
    result = optimize("Dockerfile", text)
    multi_stage = next(c for c in result.candidates if c.strategy == "multi-stage")
    assert "HEALTHCHECK" in multi_stage.dockerfile
    assert "healthcheck" in [change.kind for change in multi_stage.changes]
