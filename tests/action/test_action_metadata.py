"""`action.yml` is valid action metadata (SchemaStore's schema), and its steps use only inputs it declares."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

from codi.cli.action import FILTER_MODES, REPORTERS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "schemas" / "github-action.json"
INPUT_USE = re.compile(r"\binputs\.([A-Za-z0-9_-]+)")
FULL_SHA = re.compile(r"^[^@]+@[0-9a-f]{40}$")


def schema_errors(schema: dict, document: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(document)]


def metadata() -> dict:
    return YAML(typ="safe").load((ROOT / "action.yml").read_text())


def test_action_yml_is_valid_action_metadata() -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema_errors(schema, metadata()) == []


def test_the_schema_rejects_what_github_rejects() -> None:
    """The check has teeth: a composite run step without `shell`, an unknown key."""
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))
    broken = metadata()
    del broken["runs"]["steps"][1]["shell"]
    assert list(validator.iter_errors(broken))
    assert list(validator.iter_errors({**metadata(), "input": {}}))


def test_every_input_the_steps_use_is_declared_and_every_declared_one_is_used() -> None:
    action = metadata()
    declared = set(action["inputs"])
    used = set(INPUT_USE.findall(json.dumps(action["runs"])))
    assert used - declared == set()
    assert declared - used == set()


def test_outputs_come_from_the_codi_step_and_remote_actions_are_pinned_by_commit() -> None:
    action = metadata()
    steps = action["runs"]["steps"]
    assert {output["value"] for output in action["outputs"].values()} == {
        f"${{{{ steps.codi.outputs.{name} }}}}" for name in ("findings", "sarif-file", "exit-code")
    }
    assert [step.get("id") for step in steps].count("codi") == 1
    remote = [step["uses"] for step in steps if "uses" in step]
    assert remote and all(FULL_SHA.match(uses) for uses in remote)
    setup = next(step for step in steps if "uses" in step)
    assert setup["if"] == "inputs.setup-python == 'true'"


def test_input_defaults_are_choices_codi_action_takes() -> None:
    inputs = metadata()["inputs"]
    assert inputs["reporter"]["default"] in REPORTERS and inputs["filter-mode"]["default"] in FILTER_MODES
    assert inputs["failure-threshold"]["default"] == "info"
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    assert inputs["build"]["default"] == "false" and inputs["setup-python"]["default"] == "true"


def test_the_example_workflow_is_a_valid_workflow_using_the_action_and_uploading_its_sarif() -> None:
    workflow = YAML(typ="safe").load((ROOT / "examples" / "workflows" / "codi.yml").read_text())
    schema = json.loads((SCHEMA.parent / "github-workflow.json").read_text())
    assert schema_errors(schema, workflow) == []
    assert set(workflow[True] if True in workflow else workflow["on"]) == {"pull_request", "push"}  # YAML 1.1: on
    assert {"checks", "pull-requests", "issues", "security-events"} <= set(workflow["permissions"])
    steps = workflow["jobs"]["dockerfiles"]["steps"]
    codi = next(step for step in steps if step.get("id") == "codi")
    assert set(codi["with"]) <= set(metadata()["inputs"])
    upload = next(step for step in steps if "upload-sarif" in step.get("uses", ""))
    assert upload["with"]["sarif_file"] == "${{ steps.codi.outputs.sarif-file }}"
    assert all(FULL_SHA.match(step["uses"]) for step in steps if "uses" in step and step is not codi)
