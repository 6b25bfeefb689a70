"""Real builds of bench/apps: each naive original against codi's top candidate — sizes, reduction, build times, smoke.

For every app under bench/apps (a Dockerfile and its context), in one
process: `optimize()` with the context, the top candidate chosen before any
build (the most thorough strategy codi emitted: minimal, else multi-stage,
else fixes — a failed smoke test cannot make another one "top"), then
`ImageLab` builds, analyses and smoke-tests the original (the peer) and that
candidate on the engine in DOCKER_HOST, and `judge` gives the verdict. The
evidence goes to a fresh SQLite file per run (nothing is reused, every figure
is a real build) unless `--reuse` is given (then CODI_DATA_DIR's, as `codi optimize --build` uses). Images are removed once measured.

    export DOCKER_HOST=$(scripts/engine | tail -n 1); scripts/bases
    python bench/size_reduction.py [--apps python-flask,go-http] [--reuse] [--json FILE]

Targets: every top candidate passes its smoke test; median size reduction ≥ 60 %.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codi.cli.main import context_smoke_settings, context_texts, read_text  # noqa: E402
from codi.cli.measure import data_folder, engine_platform, progress  # noqa: E402
from codi.pipeline.measured import ImageReport  # noqa: E402
from codi.pipeline.optimize import optimize  # noqa: E402
from codi.pipeline.optimize.model import Candidate, OptimizeResult  # noqa: E402
from codi.storage.database import init_db  # noqa: E402
from codi.storage.evidence import EvidenceStore  # noqa: E402
from codi.worker.build import DockerBuildRunner  # noqa: E402
from codi.worker.measure import ImageLab  # noqa: E402

APPS = ROOT / "bench" / "apps"
PREFERENCE = ("minimal", "multi-stage", "fixes")
"""The top candidate: the most thorough strategy codi emitted."""


def top_candidate(result: OptimizeResult) -> Candidate | None:
    by_strategy = {candidate.strategy: candidate for candidate in result.candidates}
    return next((by_strategy[s] for s in PREFERENCE if s in by_strategy), None)


def measure_app(lab: ImageLab, app: Path) -> dict[str, object]:
    dockerfile = app / "Dockerfile"
    text = read_text(dockerfile)
    result = optimize(str(dockerfile.relative_to(ROOT)), text, context_texts(app))
    top = top_candidate(result)
    smoke = context_smoke_settings(app)
    if top is None:
        return {"app": app.name, "candidate": None, "reason": result.no_candidate_reason}
    before, after = lab.compare(text, [top], app, smoke)
    return {
        "app": app.name,
        "candidate": top.strategy,
        "original": _row(before),
        "top": _row(after),
        "reduction": None if after.size_delta_ratio is None else -after.size_delta_ratio,
    }


def _row(report: ImageReport) -> dict[str, object]:
    return {
        "status": report.status,
        "reason": report.reason,
        "size_bytes": report.size_bytes,
        "layers": report.layers,
        "build_seconds": report.build_seconds,
        "smoke": report.smoke,
        "stop_seconds": report.smoke_stop_seconds,
        "wasted_bytes": report.wasted_bytes,
        "reused": report.reused,
    }


def _mb(size: object) -> str:
    return "–" if not isinstance(size, int) else f"{size / 1e6:,.0f} MB"


def _seconds(value: object) -> str:
    return "–" if not isinstance(value, (int, float)) else f"{value:.0f} s"


def print_table(rows: list[dict[str, object]]) -> None:
    print(
        f"{'app':<14} {'original':>10} {'top candidate':<14} {'size':>10} {'reduction':>9} "
        f"{'build orig':>10} {'build top':>9} {'smoke orig':>10} {'smoke top':>9}"
    )
    for row in rows:
        if row["candidate"] is None:
            print(f"{row['app']:<14} no candidate: {row['reason']}")
            continue
        original, top = row["original"], row["top"]
        assert isinstance(original, dict) and isinstance(top, dict)
        reduction = row["reduction"]
        print(
            f"{row['app']:<14} {_mb(original['size_bytes']):>10} {row['candidate']!s:<14} {_mb(top['size_bytes']):>10} "
            f"{'–' if reduction is None else f'{reduction:.1%}':>9} {_seconds(original['build_seconds']):>10} "
            f"{_seconds(top['build_seconds']):>9} {original['smoke']!s:>10} {top['smoke']!s:>9}"
        )
        for name, report in (("original", original), (str(row["candidate"]), top)):
            if report["status"] == "fail":
                print(f"{'':<14} {name} failed: {report['reason']}")
    reductions = [row["reduction"] for row in rows if isinstance(row["reduction"], float)]
    passed = sum(1 for row in rows if isinstance(row.get("top"), dict) and row["top"]["status"] == "pass")  # type: ignore[index]
    print(f"\ntop candidates passing: {passed}/{len(rows)}")
    if reductions:
        print(f"median size reduction: {statistics.median(reductions):.1%} (target ≥ 60 %)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", help="comma-separated app folder names (default: all under bench/apps)")
    parser.add_argument("--reuse", action="store_true", help="use the evidence in CODI_DATA_DIR (no rebuild of known inputs)")
    parser.add_argument("--json", help="also write the rows as JSON to this file")
    args = parser.parse_args()
    docker_host = os.environ.get("DOCKER_HOST")
    if not docker_host:
        print("DOCKER_HOST is not set: export DOCKER_HOST=$(scripts/engine | tail -n 1); scripts/bases", file=sys.stderr)
        return 2
    names = args.apps.split(",") if args.apps else sorted(p.name for p in APPS.iterdir() if (p / "Dockerfile").is_file())
    with tempfile.TemporaryDirectory(prefix="codi-bench-") as scratch:
        folder = data_folder() if args.reuse else Path(scratch)
        database, artefacts = folder / "evidence.db", folder / "evidence"
        engine = init_db(f"sqlite:///{database}")
        runner = DockerBuildRunner(docker_host, artefacts / "logs")
        lab = ImageLab(runner, EvidenceStore(engine), artefacts, engine_platform(), progress=progress)
        rows = []
        try:
            for name in names:
                print(f"{name}:", file=sys.stderr, flush=True)
                rows.append(measure_app(lab, APPS / name))
        finally:
            runner.close()
            engine.dispose()
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    failed = [row for row in rows if not (isinstance(row.get("top"), dict) and row["top"]["status"] == "pass")]  # type: ignore[index]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
