"""`codi runs list|show|prune`: the runs codi recorded, in the database `CODI_DATABASE_URL` names.

The default is the SQLite file in `CODI_DATA_DIR` the CLI and the App's workers on one machine share
(`settings.default_database_url`); the schema is migrated on first use, as for every other command.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from codi.storage.run_kinds import RunKind

if TYPE_CHECKING:
    from codi.cli.action import WorkflowContext
    from codi.comments.candidates import OptimizedFile
    from codi.pipeline.lint import LintResult
    from codi.pipeline.measured import ImageReport
    from codi.pipeline.optimize.model import OptimizeResult
    from codi.pipeline.review import ChangedFile, FileReview
    from codi.storage.runs import Run, RunPage, RunRecorder, RunStore
    from codi.webhooks.payloads import PullRequest

EXIT_DONE = 0
EXIT_NO_RUN = 1
"""`show`: no run has that id."""
EXIT_ERROR = 2
"""Bad arguments, or the database cannot be used (unreachable, not a database URL)."""


def older_than(value: str) -> timedelta:
    """`--older-than DAYS`: a positive number of days (fractions allowed: 0.5 is twelve hours)."""
    try:
        days = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {value!r}") from None
    if not days > 0 or days == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of days, not {value!r}")
    return timedelta(days=days)


def moment(value: str) -> datetime:
    """`--since`/`--until`: an ISO 8601 date or time; UTC when it names no zone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {value!r} (e.g. 2026-12-01)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def count(value: str) -> int:
    """`--limit`, `--offset`: a whole number, 0 or more."""
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more, not {value!r}")
    return int(value)


def run_id(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"a run id is a number (see `codi runs list`), not {value!r}")
    return int(value)


def open_store() -> RunStore:
    """The run store on `CODI_DATABASE_URL` (default: SQLite in `CODI_DATA_DIR`); `SettingsError` when unusable."""
    from codi.cli.measure import data_folder
    from codi.settings import default_database_url
    from codi.storage.database import init_db
    from codi.storage.runs import RunStore

    url = os.environ.get("CODI_DATABASE_URL")
    if not url:
        data_folder().mkdir(parents=True, exist_ok=True)
        url = default_database_url(data_folder())
    return RunStore(init_db(url))


def cmd_runs(args: argparse.Namespace) -> int:
    from codi.settings import SettingsError

    try:
        store = open_store()
    except SettingsError as error:
        print(f"codi: {error}", file=sys.stderr)
        return EXIT_ERROR
    try:
        return int(args.runs_handler(args, store))
    finally:
        store.close()


def cmd_list(args: argparse.Namespace, store: RunStore) -> int:
    from codi.storage.runs import RunFilter

    filters = RunFilter(args.repository, args.stack, args.outcome, args.kind, args.since, args.until)
    page = store.list(filters, offset=args.offset, limit=args.limit)
    if args.format == "json":
        print(json.dumps({"runs": [run.model_dump(mode="json") for run in page.runs], "total": page.total}, indent=2))
    else:
        sys.stdout.write(list_text(page))
    return EXIT_DONE


def list_text(page: RunPage) -> str:
    lines = [f"{'ID':>6}  {'KIND':8}  {'OUTCOME':12}  {'STARTED (UTC)':19}  {'FILES':>5}  {'FINDINGS':>8}  "
             f"{'CANDIDATES':>10}  STACKS  TARGET"]  # fmt: skip
    for run in page.runs:
        target = run.local_path or f"{run.repository}#{run.pull_number or ''}@{(run.head_sha or '')[:12]}"
        started = run.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        stacks = ",".join(run.stacks) or "-"
        lines.append(f"{run.id:>6}  {run.kind:8}  {run.outcome:12}  {started:19}  {run.files:>5}  {run.findings:>8}  "
                     f"{run.candidates:>10}  {stacks}  {target}")  # fmt: skip
    lines.append(f"{len(page.runs)} of {page.total} run(s)")
    return "\n".join(lines) + "\n"


def stored_run(store: RunStore, run_id: int) -> Run | None:
    """The run with that id, or None once the user is told there is none."""
    from codi.storage.runs import RunNotFound

    try:
        return store.get(run_id)
    except RunNotFound:
        print(f"codi: no run {run_id} (see `codi runs list`)", file=sys.stderr)
        return None


def cmd_show(args: argparse.Namespace, store: RunStore) -> int:
    if (run := stored_run(store, args.run)) is None:
        return EXIT_NO_RUN
    sys.stdout.write(run.model_dump_json(indent=2) + "\n" if args.format == "json" else show_text(run))
    return EXIT_DONE


def show_text(run: Run) -> str:
    """The run as plain text: its target, environment and timings, then each file's findings, candidates,
    measurements and ranking."""
    env = run.environment
    target = run.local_path or f"{run.repository} #{run.pull_number} at {run.head_sha}"
    lines = [
        f"run {run.id}: {run.kind} of {target}: {run.outcome}",
        f"  started {run.started_at.isoformat()}, finished {run.finished_at.isoformat()}",
        f"  codi {env.codi_version}, catalog {env.catalog_version}, model {env.model or 'none'}, "
        f"model network {env.network}, builds {env.build_network or 'none'}",
        "  modules: " + (", ".join(f"{name} {version}" for name, version in env.module_versions.items()) or "none"),
        "  stages: " + (", ".join(f"{name} {seconds:.3f}s" for name, seconds in run.durations.items()) or "none"),
    ]
    if run.detail:
        lines.append(f"  detail: {run.detail}")
    for file in run.files:
        lines.append(f"{file.path} (sha256 {file.sha256[:12]}, stack {file.stack or 'not analysed'})")
        lines.extend(f"  {f.line}: {f.code} {f.severity}: {f.message}" for f in file.findings)
        for candidate in file.candidates:
            estimate = candidate.estimate
            sizes = f"{_bytes(estimate.size_bytes_before)} → {_bytes(estimate.size_bytes_after)}"
            lines.append(f"  candidate {candidate.strategy}: estimate {sizes}, "
                         f"{estimate.layers_before} → {estimate.layers_after} layers")  # fmt: skip
            lines.extend(f"    {change}" for change in candidate.changes)
        for measured in file.measurements:
            vulnerabilities = "not scanned" if measured.vulnerabilities is None else measured.vulnerabilities
            lines.append(f"  measured {measured.strategy}: {measured.status}, {_bytes(measured.size_bytes)}, "
                         f"vulnerabilities {vulnerabilities}, smoke {measured.smoke}, "
                         f"evidence {measured.evidence_key[:12]}")  # fmt: skip
        if file.ranking:
            ranking = file.ranking
            model = f", model {ranking.model} ({ranking.fallback_reason or 'used'})" if ranking.model else ""
            lines.append(f"  ranked ({ranking.source}{model}): {' > '.join(ranking.order)}")
    return "\n".join(lines) + "\n"


def _bytes(size: int | None) -> str:
    return "unknown size" if size is None else f"{size:,} bytes"


def cmd_prune(args: argparse.Namespace, store: RunStore) -> int:
    from codi.cli.measure import data_folder

    result = store.prune(datetime.now(UTC) - args.older_than, data_folder())
    print(f"pruned {result.runs} run(s), {result.evidence} build evidence record(s), {result.files} file(s)")
    return EXIT_DONE


def add_parser(sub: argparse._SubParsersAction) -> None:
    """`codi runs list|show|prune`."""
    from codi.cli.main import exit_codes

    codes = exit_codes(
        f"{EXIT_DONE}  listed, shown or pruned",
        f"{EXIT_NO_RUN}  show: no run has that id",
        f"{EXIT_ERROR}  bad arguments (a bad --older-than, --since or run id), or CODI_DATABASE_URL cannot be used",
    )
    parser = sub.add_parser("runs", help="list, show and prune the runs codi recorded (CODI_DATABASE_URL)", **codes)
    parser.set_defaults(handler=cmd_runs)
    actions = parser.add_subparsers(dest="runs_action", required=True)

    listing = actions.add_parser("list", help="runs, newest first", **codes)
    listing.add_argument("--repository", help="owner/name (any case)")
    listing.add_argument("--stack", help="runs with a Dockerfile of this stack (python, node, …)")
    listing.add_argument("--outcome", help="success, failure, neutral, candidates, no-candidate, fail, error")
    listing.add_argument("--kind", choices=get_args(RunKind), help="runs made by this (%(choices)s)")
    listing.add_argument("--since", type=moment, help="started at or after (ISO 8601; UTC unless a zone is given)")
    listing.add_argument("--until", type=moment, help="started before")
    listing.add_argument("--limit", type=count, default=50, help="runs per page (default 50)")
    listing.add_argument("--offset", type=count, default=0, help="runs to skip (default 0)")
    listing.add_argument("-f", "--format", default="text", choices=["text", "json"])
    listing.set_defaults(runs_handler=cmd_list)

    show = actions.add_parser("show", help="one run with its files", **codes)
    show.add_argument("run", type=run_id, help="the run's id")
    show.add_argument("-f", "--format", default="text", choices=["text", "json"])
    show.set_defaults(runs_handler=cmd_show)

    prune = actions.add_parser(
        "prune", help="remove old runs and the build evidence (rows and files) no kept run uses", **codes
    )
    prune.add_argument("--older-than", type=older_than, required=True, metavar="DAYS", help="runs started before")
    prune.set_defaults(runs_handler=cmd_prune)


# Recording the CLI's runs


def save_run(run: Run) -> None:
    """Store the run; a database that cannot be used costs a warning, not the command's result."""
    from sqlalchemy.exc import SQLAlchemyError

    from codi.settings import SettingsError

    try:
        store = open_store()
    except (SettingsError, OSError) as error:
        print(f"codi: warning: the run was not recorded: {error}", file=sys.stderr)
        return
    try:
        run_number = store.record(run)
    except SQLAlchemyError as error:
        print(f"codi: warning: the run was not recorded: {error}", file=sys.stderr)
        return
    finally:
        store.close()
    print(f"codi: recorded run {run_number} (codi runs show {run_number})", file=sys.stderr)


def record_optimize(
    recorder: RunRecorder,
    path: Path,
    text: str,
    result: OptimizeResult,
    reports: Sequence[ImageReport] = (),
    network: str | None = None,
    error: str | None = None,
) -> None:
    """`codi optimize`'s run: `candidates` / `no-candidate`, `fail` when the original failed to build, `error`
    when the build could not start; `network` (the --network flag) is given when it built."""
    from codi.storage.runs import environment, run_file

    if error is not None:
        outcome = "error"
    elif reports and reports[0].status == "fail":
        outcome = "fail"
    else:
        outcome = "candidates" if result.candidates else "no-candidate"
    build_network = (network or os.environ.get("CODI_BUILD_NETWORK") or "codi") if reports or error else None
    recorder.files.append(run_file(str(path), text, optimized=result, reports=reports))
    save_run(recorder.finish(outcome, environment(build_network=build_network), detail=error))


def record_review(
    recorder: RunRecorder,
    head_sha: str,
    files: Sequence[ChangedFile],
    reviews: Sequence[FileReview],
    optimized: Sequence[OptimizedFile],
    conclusion: str,
) -> None:
    """`codi review`'s run: each changed Dockerfile's findings and candidates; the outcome is the check run's
    conclusion."""
    from codi.storage.runs import environment, reviewed_files

    recorder.head_sha = head_sha
    recorder.files.extend(reviewed_files(files, reviews, optimized))
    save_run(recorder.finish(conclusion, environment()))


def record_action(
    recorder: RunRecorder,
    context: WorkflowContext,
    pull: PullRequest | None,
    results: Sequence[LintResult],
    exit_code: int,
) -> None:
    """`codi action`'s run: the reported Dockerfiles and findings; `success`, `failure` (findings at the
    threshold) or `error` (a GitHub request failed), as its exit status says."""
    from codi.cli.action import EXIT_CLEAN, EXIT_FINDINGS
    from codi.storage.runs import environment, run_file

    recorder.repository = context.full_name
    recorder.pull_number = pull.number if pull else None
    recorder.head_sha = pull.head.sha if pull else context.sha
    recorder.files.extend(run_file(result.path, result.document.text, result.findings) for result in results)
    outcome = {EXIT_CLEAN: "success", EXIT_FINDINGS: "failure"}.get(exit_code, "error")
    detail = "a GitHub request failed" if outcome == "error" else None
    save_run(recorder.finish(outcome, environment(), detail=detail))
