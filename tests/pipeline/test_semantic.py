"""Stages, the stage graph and variable scopes."""

from codi.pipeline.parser import parse
from codi.pipeline.semantic import SemanticModel, expand, key_values, parse_image


def model(text: str) -> SemanticModel:
    return SemanticModel(parse(text))


def test_expand_forms():
    env = {"A": "1", "E": ""}
    assert expand("$A ${A} ${B:-x} ${E:-y} ${E-z} ${A:+set} ${B:+no}", env) == "1 1 x y  set "
    assert expand("$UNKNOWN", env) == "$UNKNOWN"
    assert expand("$UNKNOWN", env, keep_unknown=False) == ""


def test_global_arg_resolves_in_from():
    m = model("ARG BASE=python:3.11-slim\nFROM ${BASE} AS app\nRUN true\n")
    stage = m.stages[0]
    assert stage.image.repository == "python" and stage.image.tag == "3.11-slim"
    assert stage.image_as_written == "${BASE}"
    assert stage.alias == "app"


def test_global_arg_needs_redeclaring_inside_a_stage():
    text = "ARG V=1\nFROM a\nRUN echo $V\nARG V\nRUN echo $V\n"
    m = model(text)
    runs = [i for i in m.document.instructions if i.keyword == "RUN"]
    assert "V" not in m.variables_at(runs[0])
    assert m.variables_at(runs[1])["V"] == "1"


def test_stage_graph_and_inheritance():
    text = (
        "FROM golang:1.19 AS build\nENV CGO_ENABLED=0\nSHELL [\"/bin/bash\", \"-c\"]\n"
        "FROM build AS test\nRUN go test\n"
        "FROM scratch\nCOPY --from=build /app /app\n"
    )
    m = model(text)
    build, test, final = m.stages
    assert test.parent is build and final.parent is None
    run = test.instructions[0]
    assert m.variables_at(run)["CGO_ENABLED"] == "0"
    assert m.shell_at(run) == ("/bin/bash", "-c")
    assert final.copies_from() == ["build"]
    assert m.is_stage_reference("build", before=final)
    assert not m.is_stage_reference("later", before=final)


def test_parse_image():
    ref = parse_image("registry.example.com:5000/team/app:1.2@sha256:abc")
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        "registry.example.com:5000", "team/app", "1.2", "sha256:abc")
    assert parse_image("ubuntu").tag is None
    assert parse_image("library/ubuntu:22.04").registry is None


def test_key_values_modern_and_legacy():
    env = parse('ENV A=1 B="two words" C\n').instructions[0]
    assert [(kv.key, kv.value) for kv in key_values(env)] == [("A", "1"), ("B", "two words"), ("C", None)]
    legacy = parse("ENV PATH /usr/local/bin:$PATH\n").instructions[0]
    assert [(kv.key, kv.value) for kv in key_values(legacy)] == [("PATH", "/usr/local/bin:$PATH")]
