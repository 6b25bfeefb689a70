"""The bundled examples and scripts/demo show codi's headline: complete apps (every file their Dockerfile copies
is there), so the optimiser restructures them; base images scripts/bases makes; a heading before each step."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from codi.cli.main import main
from codi.pipeline.parser import parse

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
APPS = {"python-app": {"multi-stage"}, "node-app": {"multi-stage", "minimal"}}
"""Each example app and the restructuring candidates `codi optimize` makes for it."""


def bases_made() -> set[str]:
    """The images and aliases `scripts/bases` can make (its `images`, `extras` and `aliases` arrays)."""
    script = (ROOT / "scripts" / "bases").read_text()
    names: set[str] = set()
    for array in ("images", "extras", "aliases"):
        body = re.search(rf"^{array}=\(\n(.*?)^\)", script, re.MULTILINE | re.DOTALL)
        assert body, f"scripts/bases has no {array}=( … ) array"
        for word in body.group(1).split():
            names.update(word.split("="))
    return names


@pytest.mark.parametrize("app", sorted(APPS))
def test_the_example_app_is_complete_and_restructured(app: str, capsys: pytest.CaptureFixture[str]) -> None:
    folder = EXAMPLES / app
    for instruction in parse((folder / "Dockerfile").read_text()).instructions:
        if instruction.keyword in ("COPY", "ADD"):
            *sources, _ = instruction.args.split()
            for source in sources:
                assert (folder / source).exists(), f"{app}: {instruction.raw.strip()} copies a missing {source}"
    assert main(["optimize", str(folder / "Dockerfile"), "-f", "json"]) == 0
    strategies = {candidate["strategy"] for candidate in json.loads(capsys.readouterr().out)["candidates"]}
    assert APPS[app] <= strategies


def test_every_example_builds_from_a_base_scripts_bases_makes() -> None:
    made = bases_made()
    dockerfiles = sorted(EXAMPLES.glob("*/Dockerfile")) + sorted(EXAMPLES.glob("pr-demo/*/Dockerfile"))
    assert len(dockerfiles) == 4
    for path in dockerfiles:
        for instruction in parse(path.read_text()).instructions:
            if instruction.keyword == "FROM":
                image = instruction.args.split()[0]
                assert image in made, f"{path.relative_to(ROOT)}: FROM {image}, which scripts/bases does not make"


def test_the_demo_has_a_heading_before_each_step() -> None:
    lines = [line.strip() for line in (ROOT / "scripts" / "demo").read_text().splitlines()]
    steps = [i for i, line in enumerate(lines) if line.startswith(("$codi ", "./scripts/demo-review"))]
    assert len(steps) >= 6
    for index in steps:
        before = next(line for line in reversed(lines[:index]) if line.startswith(("heading ", "$codi ", "./")))
        assert before.startswith("heading "), f"no heading before: {lines[index]}"
