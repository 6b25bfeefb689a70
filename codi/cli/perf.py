"""`codi perf`: how long each pipeline stage takes on local Dockerfiles, checked against budgets.

Per file, one `StageTimer` (the helper run records use) times each call into the pure core as the
pipeline makes it: `parse` (the parser alone), `lint` (codi's rules: `lint_files` without ShellCheck,
its own parse included), `optimise` (`optimize()` on the file and its build context) and `rank` (the
deterministic scorer; the model too with `--model`). ShellCheck, the external checker, runs once for
all files, batched as `codi analyze` runs it, so it is timed as one call: a total, no per-file figure.
One untimed pass over the first file first loads what a process loads once (rules, catalog, imports).

Budgets are milliseconds per stage, per file and in total (the sum over the files): `.codi.yml`'s
`perf: budgets:` section, or `--budget-file` (the same `per-file:`/`total:` mapping at its top level).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from codi.cli.usage import exit_codes
from codi.pipeline.config import PERF_STAGES, LintConfig, PerfBudgets
from codi.timing import StageTimer

if TYPE_CHECKING:
    from codi.llm.engine import LocalModel
    from codi.pipeline.lint import ScriptChecker

EXIT_WITHIN = 0
"""Every stage within its budgets (or no budget set)."""
EXIT_OVER = 1
"""A stage over a budget, per file or in total: each is named."""
EXIT_BAD_INPUT = 2
"""A path that cannot be read or holds no Dockerfile, a malformed config or budget file, a model that cannot load."""
PER_FILE_STAGES = tuple(stage for stage in PERF_STAGES if stage != "shellcheck")
"""Stages timed file by file; ShellCheck is one batched call for all files."""
DEFAULT_MODEL_TIMEOUT_S = 30.0
Scope = Literal["per-file", "total"]


@dataclass(frozen=True)
class PerfFile:
    """A Dockerfile to time: its display path, text and build context (as `codi optimize` reads it)."""

    path: str
    text: str
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FileTimes:
    path: str
    stages_ms: dict[str, float]
    """Each of `PER_FILE_STAGES` → milliseconds."""


@dataclass(frozen=True)
class StageSummary:
    """One stage over all files: the sum and the spread of its per-file times (None for batched ShellCheck)."""

    sum_ms: float
    p50_ms: float | None
    p95_ms: float | None
    max_ms: float | None


@dataclass(frozen=True)
class OverBudget:
    stage: str
    scope: Scope
    path: str | None
    """The file, for a per-file budget."""
    ms: float
    budget_ms: float

    def __str__(self) -> str:
        where = f"{self.path} took" if self.path else "all files took"
        return f"{self.stage} {self.scope}: {where} {self.ms:.1f} ms (budget {self.budget_ms:g} ms)"


@dataclass(frozen=True)
class PerfReport:
    files: tuple[FileTimes, ...]
    shellcheck_ms: float | None
    """The one batched ShellCheck call; None when ShellCheck is off."""
    ranker: Literal["deterministic", "model"]

    def summaries(self) -> dict[str, StageSummary | None]:
        """Every stage of `PERF_STAGES`; None for ShellCheck when it is off."""
        out: dict[str, StageSummary | None] = {}
        for stage in PERF_STAGES:
            if stage == "shellcheck":
                out[stage] = None if self.shellcheck_ms is None else StageSummary(self.shellcheck_ms, None, None, None)
                continue
            times = sorted(times.stages_ms[stage] for times in self.files)
            out[stage] = StageSummary(
                sum(times), percentile(times, 50), percentile(times, 95), times[-1] if times else None
            )
        return out

    def over(self, budgets: PerfBudgets) -> list[OverBudget]:
        """Every budget exceeded: per-file ones file by file, then the totals, in stage order."""
        found = [
            OverBudget(stage, "per-file", times.path, times.stages_ms[stage], budgets.per_file_ms[stage])
            for stage in PER_FILE_STAGES
            if stage in budgets.per_file_ms
            for times in self.files
            if times.stages_ms[stage] > budgets.per_file_ms[stage]
        ]
        for stage, summary in self.summaries().items():
            budget = budgets.total_ms.get(stage)
            if budget is not None and summary is not None and summary.sum_ms > budget:
                found.append(OverBudget(stage, "total", None, summary.sum_ms, budget))
        return found


def percentile(ordered: Sequence[float], rank: float) -> float | None:
    """Nearest-rank percentile of sorted values (None for none)."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(rank / 100 * len(ordered)) - 1)]


def measure_pipeline(
    files: Sequence[PerfFile],
    config: LintConfig,
    checker: ScriptChecker | None,
    model: LocalModel | None = None,
    model_timeout_s: float = DEFAULT_MODEL_TIMEOUT_S,
) -> PerfReport:
    """Time each stage of the pipeline on `files` (see the module's docstring); ShellCheck only when `checker`."""
    from codi.llm.ranking import rank_file
    from codi.pipeline.lint import SourceFile, lint_files
    from codi.pipeline.optimize.optimizer import optimize
    from codi.pipeline.parser import parse

    def run_file(file: PerfFile, timer: StageTimer) -> None:
        with timer.stage("parse"):
            parse(file.text)
        with timer.stage("lint"):
            lint_files([SourceFile(file.path, file.text)], config, None)
        with timer.stage("optimise"):
            result = optimize(file.path, file.text, file.context)
        with timer.stage("rank"):
            rank_file(file.path, file.text, result, None, model, model_timeout_s)

    if files:
        run_file(files[0], StageTimer())  # untimed: what a process loads once
    timed: list[FileTimes] = []
    for file in files:
        timer = StageTimer()
        run_file(file, timer)
        timed.append(FileTimes(file.path, {stage: timer.durations[stage] * 1000 for stage in PER_FILE_STAGES}))
    shellcheck_ms = None
    if checker is not None and config.shellcheck:
        batch = StageTimer()
        with batch.stage("lint"):
            lint_files([SourceFile(file.path, file.text) for file in files], config, batch.timed_checker(checker))
        shellcheck_ms = batch.durations.get("shellcheck", 0.0) * 1000
    return PerfReport(tuple(timed), shellcheck_ms, "model" if model is not None else "deterministic")


def report_json(report: PerfReport, budgets: PerfBudgets) -> dict[str, Any]:
    """`--format json`: per file, per stage (sum, p50, p95, max), the budgets and what went over them."""
    return {
        "files": [{"path": times.path, "stages_ms": _rounded(times.stages_ms)} for times in report.files],
        "stages": {
            stage: None if summary is None else _rounded(
                {"sum_ms": summary.sum_ms, "p50_ms": summary.p50_ms, "p95_ms": summary.p95_ms, "max_ms": summary.max_ms}
            )
            for stage, summary in report.summaries().items()
        },
        "shellcheck": "off" if report.shellcheck_ms is None else "batched",
        "ranker": report.ranker,
        "budgets": {"per_file_ms": budgets.per_file_ms, "total_ms": budgets.total_ms},
        "over_budget": [
            {"stage": item.stage, "scope": item.scope, "path": item.path, "ms": round(item.ms, 3),
             "budget_ms": item.budget_ms}
            for item in report.over(budgets)
        ],  # fmt: skip
    }


def _rounded(values: Mapping[str, float | None]) -> dict[str, float | None]:
    return {name: None if value is None else round(value, 3) for name, value in values.items()}


def print_report(report: PerfReport, budgets: PerfBudgets) -> None:
    """A table of the stages (ms), the budgets beside them."""
    shellcheck = "off" if report.shellcheck_ms is None else "one batched call"
    print(f"{len(report.files)} file(s); ShellCheck: {shellcheck}; rank: the {report.ranker} ranker")
    header = f"{'sum ms':>10} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'budget/file':>12} {'budget total':>13}"
    print(f"{'stage':11} {header}")
    for stage, summary in report.summaries().items():
        cells = ["off"] if summary is None else [
            _cell(summary.sum_ms, 10), _cell(summary.p50_ms, 9), _cell(summary.p95_ms, 9), _cell(summary.max_ms, 9)
        ]  # fmt: skip
        per_file, total = budgets.per_file_ms.get(stage), budgets.total_ms.get(stage)
        print(f"{stage:11} {' '.join(cells)} {_cell(per_file, 12)} {_cell(total, 13)}")


def _cell(value: float | None, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:{width}.1f}"


def perf_files(paths: Sequence[Path]) -> list[PerfFile]:
    """Each Dockerfile's text, with its directory as build context (as `codi optimize` takes it), read once each."""
    from codi.cli.main import context_texts, read_text_dockerfile

    context_of = functools.cache(context_texts)
    return [PerfFile(str(path), read_text_dockerfile(path), context_of(path.parent)) for path in paths]


def cmd_perf(args: argparse.Namespace) -> int:
    """Time the stages on the named Dockerfiles; exit 1 naming each budget exceeded."""
    from codi.cli.main import (
        NoDockerfile,
        dockerfiles,
        load_config,
        read_dockerfile,
        script_checker,
    )
    from codi.pipeline.configfile import parse_budgets

    config = load_config(args)
    budgets = config.perf
    if args.budget_file:
        budgets = parse_budgets(read_dockerfile(Path(args.budget_file)), args.budget_file)
    try:
        paths = dockerfiles(args.paths)
    except NoDockerfile as error:
        print(f"codi: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    files = perf_files(paths)
    model = None
    if args.model:
        try:
            model = _load_model(Path(args.model))
        except ModelUnusable as error:
            print(f"codi: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
    report = measure_pipeline(files, config, script_checker(config), model, args.timeout)
    if args.format == "json":
        print(json.dumps(report_json(report, budgets), indent=2))
    else:
        print_report(report, budgets)
    over = report.over(budgets)
    for item in over:
        print(f"codi: over budget: {item}", file=sys.stderr)
    return EXIT_OVER if over else EXIT_WITHIN


class ModelUnusable(Exception):
    """`--model` names no file, or one llama.cpp cannot load."""


def _load_model(path: Path) -> LocalModel | None:
    """The model `--model` names, loaded before timing starts (None without the `llm` extra: the scorer alone)."""
    from codi.cli.llm import LOADING_NOTE, quiet_llama_cpp
    from codi.llm import load_model

    if not path.is_file():
        raise ModelUnusable(f"{path}: no such file (the model is never downloaded)")
    print(LOADING_NOTE.format(path=path), file=sys.stderr)
    quiet_llama_cpp()
    try:
        return load_model(path, n_ctx=4096)
    except ValueError as error:  # llama.cpp's answer to a file that is not a GGUF model it can load
        raise ModelUnusable(f"cannot load the model {path}: {error}") from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    """`codi perf [PATHS] [--budget-file F] [--format text|json] [--model PATH]`."""
    from codi.cli.main import FORMAT_HELP, NO_SHELLCHECK_HELP  # main imports this module: read when it is loaded

    parser = sub.add_parser(
        "perf",
        help="time each pipeline stage (parse, lint, ShellCheck, optimise, rank) per file and in total, "
        "against budgets",
        **exit_codes(
            f"{EXIT_WITHIN}  every stage within its budgets (or none set)",
            f"{EXIT_OVER}  a stage over a budget, per file or in total (each is named)",
            f"{EXIT_BAD_INPUT}  a missing or unreadable path, a directory without a Dockerfile, a malformed config or "
            "budget file, ShellCheck not installed, a model that cannot be loaded",
        ),
    )
    parser.add_argument("paths", nargs="*", default=["."], help="Dockerfiles or directories to search (default .)")
    parser.add_argument("--config", help="config file (.codi.yml) with perf: budgets:; default: nearest one")
    parser.add_argument("--budget-file", help="YAML with per-file: and total: budgets (ms per stage); replaces the "
                        "config's")  # fmt: skip
    parser.add_argument("-f", "--format", default="text", choices=["text", "json"], help=FORMAT_HELP)
    parser.add_argument("--no-shellcheck", action="store_true", help=NO_SHELLCHECK_HELP)
    parser.add_argument("--model", help="GGUF model file: rank with the model too (default: the scorer alone)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_MODEL_TIMEOUT_S,
        help=f"seconds the model may take (per file; default {DEFAULT_MODEL_TIMEOUT_S:g})",
    )
    parser.set_defaults(handler=cmd_perf, ignore=None, failure_threshold=None, no_fail=False, trusted_registry=None)
