"""The stage-graph helpers several rules share (codi/knowledge/stages.py)."""

from __future__ import annotations

import textwrap

from codi.pipeline.parser import parse
from codi.pipeline.semantic import SemanticModel
from codi.knowledge.stages import final_or_base_ids, image_stages, pulls_named_image, root_stage, stage_and_ancestors

MODEL = SemanticModel(
    parse(
        textwrap.dedent(
            """\
            ARG BASE
            FROM debian:12 AS base
            FROM base AS build
            FROM scratch AS unused
            FROM ${BASE} AS dynamic
            FROM build AS final
            """
        )
    )
)
BASE, BUILD, UNUSED, DYNAMIC, FINAL = MODEL.stages


def test_ancestors_run_from_the_stage_to_its_root():
    assert list(stage_and_ancestors(FINAL)) == [FINAL, BUILD, BASE]
    assert list(stage_and_ancestors(None)) == []
    assert root_stage(FINAL) is BASE
    assert root_stage(UNUSED) is UNUSED
    assert image_stages(MODEL) == [BASE, BUILD, FINAL]


def test_final_or_base_ids_are_the_last_stage_and_every_base():
    assert final_or_base_ids(MODEL.stages) == {id(BASE), id(BUILD), id(FINAL)}
    assert final_or_base_ids([]) == set()


def test_only_a_literally_named_registry_image_is_pulled_by_name():
    assert pulls_named_image(BASE)
    assert not pulls_named_image(BUILD)  # an earlier stage
    assert not pulls_named_image(UNUSED)  # scratch
    assert not pulls_named_image(DYNAMIC)  # an ARG without default
