"""`codi optimize --build`: build the original and its candidates on the local engine, measure and judge them.

Wires the edges the way a build worker does: the engine in `DOCKER_HOST`,
evidence in `CODI_DATABASE_URL` (default: SQLite in the data folder) and
artefacts (logs, SBOMs, application file lists) under `CODI_DATA_DIR/evidence`,
the folder the App's build workers use, on the network `--network` names, else
`CODI_BUILD_NETWORK` (`codi.worker.build.BuildNetwork`). Progress goes to
stderr; the result to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host_platform
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast, get_args

if TYPE_CHECKING:  # `codi` builds its parser from this module's option: every command would pay these imports
    from codi.pipeline.config import SmokeSettings
    from codi.pipeline.measured import ImageReport
    from codi.pipeline.optimize.model import OptimizeResult
    from codi.worker.build import BuildNetwork

NETWORKS = ("codi", "none", "host")
"""`codi.worker.build.BuildNetwork`'s values, spelled here so that building the parser does not import the engine's
client (a test holds the two equal)."""
_MACHINES = {"x86_64": "linux/amd64", "amd64": "linux/amd64", "aarch64": "linux/arm64", "arm64": "linux/arm64"}


class BuildUnavailable(Exception):
    """The build cannot start here (no engine, another platform); the message says what to do."""


def engine_platform() -> str:
    return _MACHINES.get(host_platform.machine().lower(), f"linux/{host_platform.machine().lower()}")


def measure_result(
    original: str,
    result: OptimizeResult,
    context_dir: Path,
    platform: str | None,
    smoke: SmokeSettings,
    network: str | None = None,
) -> tuple[ImageReport, ...]:
    """Builds the original and every candidate (reusing recorded builds) on `network` (None:
    `CODI_BUILD_NETWORK`'s), then judges the candidates."""
    from docker.errors import DockerException

    from codi.settings import default_database_url
    from codi.storage.database import init_db
    from codi.storage.evidence import EvidenceStore
    from codi.worker.build import DockerBuildRunner
    from codi.worker.measure import ImageLab

    docker_host = os.environ.get("DOCKER_HOST")
    if not docker_host:
        raise BuildUnavailable("DOCKER_HOST is not set: run `export DOCKER_HOST=$(scripts/engine | tail -n1)` first")
    native = engine_platform()
    if platform is not None and platform != native:
        raise BuildUnavailable(f"this engine builds {native} only; a {platform} build needs a runner of that platform")
    data_dir = data_folder()
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = init_db(os.environ.get("CODI_DATABASE_URL") or default_database_url(data_dir))
    try:
        runner = DockerBuildRunner(docker_host, data_dir / "evidence" / "logs", build_network(network))
    except DockerException as error:
        engine.dispose()
        raise BuildUnavailable(
            f"no Docker engine answers at DOCKER_HOST={docker_host} ({error}): start one "
            "(`scripts/engine` starts codi's and prints its DOCKER_HOST) or point DOCKER_HOST at a running engine"
        ) from None
    try:
        lab = ImageLab(runner, EvidenceStore(engine), data_dir / "evidence", native, progress=progress)
        return lab.compare(original, result.candidates, context_dir, smoke)
    except DockerException as error:
        raise BuildUnavailable(f"the Docker engine at DOCKER_HOST={docker_host} failed: {error}") from None
    finally:
        runner.close()
        engine.dispose()


def build_network(chosen: str | None = None) -> BuildNetwork:
    """`chosen` (the `--network` flag), else `CODI_BUILD_NETWORK` as the App's workers read it: `codi` (default),
    `none` or `host`."""
    from codi.worker import build

    network = chosen or os.environ.get("CODI_BUILD_NETWORK") or "codi"
    if network not in get_args(build.BuildNetwork):
        source = "--network" if chosen else "CODI_BUILD_NETWORK"
        raise BuildUnavailable(f"{source} must be codi, none or host, not {network!r}")
    return cast("BuildNetwork", network)


def add_network_option(parser: argparse.ArgumentParser) -> None:
    """`--network` for the commands that build (`optimize --build`, `llm … --build`)."""
    parser.add_argument(
        "--network",
        choices=NETWORKS,
        help="with --build: the network builds and port smoke tests run on: codi (codi's own bridge, codi-builds, "
        "made on first use), none (no network at all) or host (the host's own; only for engines that cannot make "
        "a bridge). Default: CODI_BUILD_NETWORK, else codi",
    )


def data_folder() -> Path:
    """`CODI_DATA_DIR`, or the App's default: CLI runs and build workers on one machine share their evidence."""
    from codi.settings import DEFAULT_DATA_DIR

    return Path(os.environ.get("CODI_DATA_DIR") or DEFAULT_DATA_DIR)


def progress(message: str) -> None:
    print(f"codi: {message}", file=sys.stderr, flush=True)


def reports_json(path: str, platform: str, reports: tuple[ImageReport, ...]) -> str:
    document = {"dockerfile": path, "platform": platform, "images": [report.as_json() for report in reports]}
    return json.dumps(document, indent=2) + "\n"


MEASURED_COLUMNS = ("image", "result", "size", "Δ size", "layers", "build", "smoke", "wasted", "vulnerabilities")
FAILED_LOG_LINES = 12
"""Lines of a failed build's or smoke test's log printed under the table (the full log's path follows)."""
_STEP = re.compile(r"^Step \d+/\d+ : .*$", re.MULTILINE)
"""The legacy builder's step header: the last one in a failed build's log is the step that failed."""


def print_reports(reports: tuple[ImageReport, ...], stream: TextIO | None = None) -> None:
    """One row per image (sizes and deltas measured): a table that fits a terminal, one line per image elsewhere;
    then, for each failed image, the failing step, its log's last lines and the full log's path."""
    from rich.console import Console
    from rich.table import Table

    out = stream or sys.stdout
    rows = [_row(report) for report in reports]
    console = Console(file=out, highlight=False, markup=False, emoji=False)
    if out.isatty():
        table = Table(title="Measured images")
        for column in MEASURED_COLUMNS:
            table.add_column(column, justify="left" if column in ("image", "result", "smoke") else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        for row in rows:
            fields = [f"{name} {value}" for name, value in zip(MEASURED_COLUMNS[2:], row[2:]) if value]
            out.write(f"{row[0]}: {row[1]}; {'; '.join(fields)}\n")
    for report in reports:
        if report.reason:
            out.write("".join(f"{line}\n" for line in failure_lines(report)))
        for secret in report.secrets:
            out.write(f"{report.strategy} holds a secret: {secret.path} ({secret.kind})\n")


def _row(report: ImageReport) -> tuple[str, ...]:
    return (
        report.strategy + (" (reused)" if report.reused else ""),
        report.status,
        _mb(report.size_bytes),
        "" if report.size_delta_ratio is None else f"{report.size_delta_ratio:+.0%}",
        "" if report.layers is None else str(report.layers),
        "" if report.build_seconds is None else f"{report.build_seconds:.1f}s",
        report.smoke,
        _mb(report.wasted_bytes),
        "not scanned" if report.vulnerabilities is None else str(report.vulnerabilities.total),
    )


def failure_lines(report: ImageReport) -> list[str]:
    """Why an image failed: the reason, the step that failed (a build), the log's last lines, the log's path."""
    log = ""
    if report.log_path and Path(report.log_path).is_file():
        log = Path(report.log_path).read_text(encoding="utf-8", errors="replace")
    lines = [f"{report.strategy} failed: {report.reason}"]
    steps = _STEP.findall(log)
    if steps and report.reason and report.reason.startswith("build failed"):
        lines.append(f"  failing step: {steps[-1]}")
    tail = (report.log_tail or log).rstrip("\n").splitlines()[-FAILED_LOG_LINES:]
    if tail:
        lines.append(f"  last {len(tail)} line(s) of the log:")
        lines += [f"    {line}" for line in tail]
    if report.log_path:
        lines.append(f"  full log: {report.log_path}")
    return lines


def _mb(size: int | None) -> str:
    return "" if size is None else f"{size / 1e6:.1f} MB"
