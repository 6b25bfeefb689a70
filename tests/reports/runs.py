"""A rich run to report on: two Dockerfiles through the real linter and optimiser, builds measured for one,
a model's ranking and a fallback, and hostile text wherever a pull request or a model can put it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from codi.pipeline.lint import lint_text
from codi.pipeline.optimize.optimizer import optimize
from codi.storage.runs import Run, RunFinding, RunMeasurement, RunRanking, environment, run_file

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}{% if 1 %}"
MARKDOWN = "``` @octocat #1 <b>bold</b> [x](https://evil.example/) <!-- codi:summary -->"
HOSTILE = (SCRIPT, IMG, TEMPLATE, MARKDOWN)
"""Strings that must show as the words they are, never as markup, in both formats."""

STARTED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
PYTHON_PATH = f"svc/{IMG}/{TEMPLATE}/Dockerfile"
PYTHON = (
    f"# {SCRIPT} {MARKDOWN}\n"
    "FROM python:3.11\n"
    "ENV API_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"
    f'LABEL description="{IMG} {TEMPLATE}"\n'
    "WORKDIR /app\n"
    "COPY . /app\n"
    "RUN pip install -r requirements.txt\n"
    "EXPOSE 8000\n"
    "CMD python app.py\n"
)
NODE_PATH = f"web/{MARKDOWN}/Dockerfile"
NODE = "FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm install\nEXPOSE 3000\nCMD npm start\n"
ORIGINAL_BYTES = 1_000_000_000
CANDIDATE_BYTES = {"fixes": 900_000_000, "multi-stage": 250_000_000}
MODEL = f"SmolLM2 {SCRIPT}"
FALLBACK = f"the model answered {SCRIPT} {IMG} {MARKDOWN}\n# not a heading"


def measurement(strategy: str, size: int, vulnerabilities: int) -> RunMeasurement:
    ratio = None if strategy == "original" else (size - ORIGINAL_BYTES) / ORIGINAL_BYTES
    return RunMeasurement(strategy=strategy, evidence_key=f"{strategy:0<12}ffff", status="pass", size_bytes=size,
                          size_delta_ratio=ratio, vulnerabilities=vulnerabilities, smoke="pass")  # fmt: skip


def rich_run(replace_hostile: bool = False) -> Run:
    """The run; `replace_hostile` puts `x` wherever a hostile string was, to compare the markup made of both."""

    def text(value: str) -> str:
        for hostile in HOSTILE:
            value = value.replace(hostile, "x") if replace_hostile else value
        return value

    python_path, python, node_path = text(PYTHON_PATH), text(PYTHON), text(NODE_PATH)
    python_file = run_file(python_path, python, lint_text(python).findings, optimize(python_path, python))
    assert [c.strategy for c in python_file.candidates] == ["fixes", "multi-stage"]
    hostile_finding = RunFinding(code="CD1010", severity="warning", line=4, message=text(f"`{IMG}` {MARKDOWN}"))
    python_file.findings.append(hostile_finding)
    python_file.measurements = [
        measurement("original", ORIGINAL_BYTES, 40),
        measurement("fixes", CANDIDATE_BYTES["fixes"], 38),
        measurement("multi-stage", CANDIDATE_BYTES["multi-stage"], 9),
    ]
    order = ["multi-stage", "fixes"]
    python_file.ranking = RunRanking(order=order, source="model", deterministic=order, model=text(MODEL),
                                     prompt_tokens=812, output_tokens=64, latency_s=1.25)  # fmt: skip
    node_file = run_file(node_path, NODE, lint_text(NODE).findings, optimize(node_path, NODE))
    assert node_file.candidates
    order = [c.strategy for c in node_file.candidates]
    node_file.ranking = RunRanking(order=order, source="deterministic", deterministic=order, model=text(MODEL),
                                   prompt_tokens=700, output_tokens=12, latency_s=0.5,
                                   fallback_reason=text(FALLBACK))  # fmt: skip
    return Run(
        id=12, kind="app", outcome="success", started_at=STARTED, finished_at=STARTED + timedelta(seconds=42),
        repository=text(f"octo/app{SCRIPT}"), pull_number=7, head_sha="c0ffee" * 6 + "abcd",
        files=[python_file, node_file], environment=environment(text(MODEL), ["models.internal"], "codi"),
        durations={"analyse": 1.5, "build": 30.25, "rank": 1.25, "post": 0.5}, detail=text(f"posted {MARKDOWN}"),
    )  # fmt: skip
