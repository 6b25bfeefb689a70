"""Real builds of bench/apps and ../shared/realapps: each original and every candidate codi emits, smoke-tested.

For every app (bench/apps/<name>: a Dockerfile and its context; ../shared/realapps/<name>: the
Dockerfile and context its meta.json names, read in place, never copied), in one process:
`optimize()` with the context, then `ImageLab` builds, analyses and smoke-tests the original and
each emitted candidate (every strategy of `STRATEGIES` codi emitted) on the engine in DOCKER_HOST,
and `judge` gives the verdicts. A realapp's smoke test waits for the port its meta.json names. The
evidence goes to a fresh SQLite file per run (every figure is a real build) unless `--reuse` is
given (then CODI_DATA_DIR's, as `codi optimize --build` uses). Images are removed once measured.
Builds and smoke tests run on CODI_BUILD_NETWORK (`host` on an engine without a bridge).

An original that does not build stays in the table with its reason; when its build log names a
host this machine cannot reach (Maven Central, proxy.golang.org, rubygems.org …), or a version the npm
registry reached here lacks, the reason says so.

    export DOCKER_HOST=$(scripts/engine | tail -n 1); scripts/bases
    CODI_BUILD_NETWORK=host python bench/size_reduction.py [--apps go-http,py-djangox] [--no-realapps] \
        [--reuse] [--json FILE]

Targets (issue 11): every app whose original builds gets a structural candidate (any strategy but
`fixes`) that builds, passes its smoke test and is ≥ 40 % smaller; the median over those apps of
the best such reduction (0 for an app without one) is ≥ 60 %; the fixes candidate builds and passes
whenever the original does. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codi.cli.main import context_smoke_settings, context_texts, read_text  # noqa: E402
from codi.cli.measure import build_network, data_folder, engine_platform, progress  # noqa: E402
from codi.pipeline.config import SmokeSettings  # noqa: E402
from codi.pipeline.measured import ImageReport  # noqa: E402
from codi.pipeline.optimize.optimizer import optimize  # noqa: E402
from codi.pipeline.optimize.model import STRATEGIES  # noqa: E402
from codi.storage.database import init_db  # noqa: E402
from codi.storage.evidence import EvidenceStore  # noqa: E402
from codi.worker.build import DockerBuildRunner  # noqa: E402
from codi.worker.measure import BuildLimits, ImageLab  # noqa: E402

APPS = ROOT / "bench" / "apps"
REALAPPS = ROOT.parent / "shared" / "realapps"
LOG_TAIL_CHARS = 1500
"""How much of a failed image's log the JSON keeps."""
STRUCTURAL_MIN_REDUCTION = 0.40
MEDIAN_TARGET = 0.60
UNREACHABLE_HOSTS = (
    "proxy.golang.org",
    "sum.golang.org",
    "repo.maven.apache.org",
    "repo1.maven.org",
    "services.gradle.org",
    "plugins.gradle.org",
    "rubygems.org",
    "crates.io",
    "packagist.org",
    "github.com",
)
"""Package hosts this machine cannot reach (only PyPI, npm and Debian's mirrors answer): a build log
naming one failed for want of the network, not because of the Dockerfile."""
NPM_NO_VERSION = "npm ERR! notarget No matching version found for "
"""npm's ETARGET line: the registry answered but holds no version in the range asked for."""


@dataclass(frozen=True)
class BenchApp:
    """One app to measure: where its Dockerfile and build context are, and how its smoke test runs."""

    name: str
    source: str
    """`bench/apps` or `realapps`."""
    label: str
    """The Dockerfile's path as the report names it: `<source>/<name>/<path in the app's folder>`."""
    dockerfile: Path
    context: Path
    smoke: SmokeSettings


def bench_apps() -> list[BenchApp]:
    """The apps under bench/apps, each its own context, smoke-tested as the nearest `.codi.yml` says."""
    apps = []
    for app in sorted(APPS.iterdir()):
        if (app / "Dockerfile").is_file():
            label = f"bench/apps/{app.name}/Dockerfile"
            apps.append(BenchApp(app.name, "bench/apps", label, app / "Dockerfile", app, context_smoke_settings(app)))
    return apps


def real_apps(folder: Path) -> list[BenchApp]:
    """The realapps under `folder` as their meta.json describes them (Dockerfile, context, port)."""
    apps = []
    for meta_path in sorted(folder.glob("*/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        app = meta_path.parent
        smoke = SmokeSettings(port=int(meta["port"])) if meta.get("port") else SmokeSettings()
        label = f"realapps/{app.name}/{meta['dockerfile']}"
        apps.append(BenchApp(app.name, "realapps", label, app / meta["dockerfile"], app / meta["context"], smoke))
    return apps


def network_cause(log_tail: str | None) -> str | None:
    """What the machine's network denied a failed build, from its log: an unreachable package host, or a
    version the npm registry reached here does not hold."""
    text = log_tail or ""
    host = next((host for host in UNREACHABLE_HOSTS if host in text), None)
    if host is not None:
        return f"the build needs {host}, which this machine cannot reach"
    if NPM_NO_VERSION in text:
        wanted = text.split(NPM_NO_VERSION, 1)[1].split("\n", 1)[0].rstrip(". ")
        return f"the npm registry this machine reaches has no version of {wanted}"
    return None


def measure_app(lab: ImageLab, app: BenchApp) -> dict[str, object]:
    text = read_text(app.dockerfile)
    result = optimize(app.label, text, context_texts(app.context))
    candidates = sorted(result.candidates, key=lambda c: STRATEGIES.index(c.strategy))
    reports = lab.compare(text, candidates, app.context, app.smoke)
    return {
        "app": app.name,
        "source": app.source,
        "stack": result.stack.stack,
        "skipped": [{"strategy": r.strategy, "reason": r.reason} for r in result.skipped],
        "no_candidate_reason": None if candidates else result.no_candidate_reason,
        "images": [_row(report) for report in reports],
    }


def _row(report: ImageReport) -> dict[str, object]:
    built = report.size_bytes is not None
    return {
        "strategy": report.strategy,
        "built": built,
        "status": report.status,
        "reason": report.reason,
        "network_cause": None if built else network_cause(report.log_tail),
        "log_tail": None if report.status == "pass" else (report.log_tail or "")[-LOG_TAIL_CHARS:],
        "size_bytes": report.size_bytes,
        "reduction": None if report.size_delta_ratio is None else -report.size_delta_ratio,
        "layers": report.layers,
        "build_seconds": report.build_seconds,
        "smoke": report.smoke,
        "reused": report.reused,
    }


def verdict(row: dict[str, object]) -> dict[str, object]:
    """The targets for one app: does the original build, the best passing structural candidate, fixes."""
    images = row["images"]
    assert isinstance(images, list)
    original, candidates = images[0], images[1:]
    structural = [c for c in candidates if c["strategy"] != "fixes" and c["status"] == "pass"]
    best = max(structural, key=lambda c: c["reduction"] or 0.0, default=None)
    fixes = next((c for c in candidates if c["strategy"] == "fixes"), None)
    builds = original["status"] == "pass"
    return {
        "original_builds": builds,
        "best_structural": None if best is None else best["strategy"],
        "best_reduction": None if best is None else best["reduction"],
        "structural_ok": not builds or (best is not None and (best["reduction"] or 0.0) >= STRUCTURAL_MIN_REDUCTION),
        "fixes_ok": not builds or fixes is None or fixes["status"] == "pass",
    }


TARGETS = ("structural_ok", "fixes_ok")
"""The per-app targets `verdict` judges; not applicable where the original does not build."""


def _mb(size: object) -> str:
    return "–" if not isinstance(size, int) else f"{size / 1e6:,.0f} MB"


def _percent(value: object) -> str:
    return "–" if not isinstance(value, float) else f"{value:.1%}"


def _seconds(value: object) -> str:
    return "–" if not isinstance(value, (int, float)) else f"{value:.0f} s"


def _why(image: dict[str, object]) -> str:
    reason = str(image["reason"] or "")
    return f"{reason} (network: {image['network_cause']})" if image["network_cause"] else reason


def print_table(rows: list[dict[str, object]]) -> bool:
    """Prints every image, then the per-app verdicts and the median; True when every target is met."""
    print(
        f"{'app':<24} {'image':<12} {'built':>5} {'smoke':>7} {'status':>6} {'size':>9} {'reduction':>9} {'build':>6}"
    )
    for row in rows:
        images = row["images"]
        assert isinstance(images, list)
        for image in images:
            print(
                f"{row['app']:<24} {image['strategy']:<12} {'yes' if image['built'] else 'no':>5} {image['smoke']:>7} "
                f"{image['status']:>6} {_mb(image['size_bytes']):>9} {_percent(image['reduction']):>9} "
                f"{_seconds(image['build_seconds']):>6}"
            )
            if image["status"] == "fail":
                print(f"{'':<24}   {_why(image)[:400]}")
        if len(images) == 1:
            print(f"{'':<24}   no candidate: {row['no_candidate_reason']}")
    print(f"\n{'app':<24} {'original':>8} {'best structural':<16} {'reduction':>9} {'≥40 %':>6} {'fixes ok':>8}")
    verdicts = [(row, verdict(row)) for row in rows]
    for row, v in verdicts:
        ok = {name: ("yes" if v[name] else "no") if v["original_builds"] else "n/a" for name in TARGETS}
        print(
            f"{row['app']:<24} {'builds' if v['original_builds'] else 'fails':>8} {v['best_structural'] or '–':<16} "
            f"{_percent(v['best_reduction']):>9} {ok['structural_ok']:>6} {ok['fixes_ok']:>8}"
        )
    building = [v for _, v in verdicts if v["original_builds"]]
    reductions = [float(v["best_reduction"] or 0.0) for v in building]  # type: ignore[arg-type]
    median = statistics.median(reductions) if reductions else 0.0
    structural = sum(1 for v in building if v["structural_ok"])
    fixes = sum(1 for v in building if v["fixes_ok"])
    print(f"\noriginals building: {len(building)}/{len(rows)}")
    print(f"structural candidate passing and ≥ 40 % smaller: {structural}/{len(building)}")
    print(f"fixes candidate passing where the original builds: {fixes}/{len(building)}")
    print(f"median best structural reduction (0 where none passes): {median:.1%} (target ≥ 60 %)")
    return structural == len(building) and fixes == len(building) and median >= MEDIAN_TARGET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", help="comma-separated app names (default: all of bench/apps and the realapps)")
    parser.add_argument("--realapps", default=str(REALAPPS), help=f"the realapps folder (default {REALAPPS})")
    parser.add_argument("--no-realapps", action="store_true", help="measure bench/apps only")
    parser.add_argument(
        "--reuse", action="store_true", help="use the evidence in CODI_DATA_DIR (no rebuild of known inputs)"
    )
    parser.add_argument("--json", help="also write the rows as JSON to this file")
    parser.add_argument(
        "--build-timeout",
        type=float,
        default=BuildLimits().timeout_s,
        help="seconds one build may take (default: the App's limit; raise it on a loaded engine)",
    )
    args = parser.parse_args()
    docker_host = os.environ.get("DOCKER_HOST")
    if not docker_host:
        print(
            "DOCKER_HOST is not set: export DOCKER_HOST=$(scripts/engine | tail -n 1); scripts/bases", file=sys.stderr
        )
        return 2
    apps = bench_apps()
    if not args.no_realapps:
        if not Path(args.realapps).is_dir():
            print(f"no realapps folder at {args.realapps} (--no-realapps measures bench/apps only)", file=sys.stderr)
            return 2
        apps += real_apps(Path(args.realapps))
    if args.apps:
        wanted = args.apps.split(",")
        unknown = sorted(set(wanted) - {app.name for app in apps})
        if unknown:
            print(f"unknown apps: {', '.join(unknown)}", file=sys.stderr)
            return 2
        apps = [app for app in apps if app.name in wanted]
    with tempfile.TemporaryDirectory(prefix="codi-bench-") as scratch:
        folder = data_folder() if args.reuse else Path(scratch)
        database, artefacts = folder / "evidence.db", folder / "evidence"
        engine = init_db(f"sqlite:///{database}")
        runner = DockerBuildRunner(docker_host, artefacts / "logs", build_network())
        limits = BuildLimits(timeout_s=args.build_timeout)
        lab = ImageLab(runner, EvidenceStore(engine), artefacts, engine_platform(), limits, progress=progress)
        rows = []
        try:
            for app in apps:
                print(f"{app.name}:", file=sys.stderr, flush=True)
                rows.append(measure_app(lab, app))
        finally:
            runner.close()
            engine.dispose()
    met = print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
