"""Do codi's safe fixes keep Dockerfiles building? Builds each file as written and after `codi fix`.

For every `*.Dockerfile` of tests/data/fix_safety (or `--dir`): `codi fix`'s passes (the plain safe
fixes, `--unsafe` to add the unsafe ones), counting the fixes applied per rule; then the original and,
when the fixes changed it, the fixed text are built on the engine in DOCKER_HOST with an empty
context. A building original whose fixed text fails is a defect of a fix that was called safe
(target: 0). The files install from Debian, PyPI and npm, so builds use the host's network unless
CODI_BUILD_NETWORK says otherwise.

    export DOCKER_HOST=$(scripts/engine | tail -n 1); scripts/bases
    python bench/fix_safety.py [--dir DIR] [--unsafe] [--jobs 2] [--json FILE]

The exit status is 1 when a fix broke a building original. Run it from an older checkout (copy this
file into its bench/, pass `--dir` of this one) to measure the fixes before a change.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codi.pipeline.edits import apply_fixes  # noqa: E402
from codi.pipeline.lint import MAX_FIX_PASSES, fix_text, lint_text  # noqa: E402
from codi.worker.build import BuildFailed, BuiltImage, DockerBuildRunner  # noqa: E402

FILES = ROOT / "tests" / "data" / "fix_safety"
MEMORY_LIMIT = 2 * 1024**3
CPU_QUOTA = 200_000
"""Two CPUs (the quota is per 100 ms period)."""
BUILD_TIMEOUT_S = 600


@dataclass
class FixOutcome:
    """One file: the fixes applied (by rule), whether the original and the fixed text build."""

    name: str
    fixes: dict[str, int] = field(default_factory=dict)
    original_builds: bool = False
    fixed_builds: bool | None = None
    """None when the fixes changed nothing (nothing more to build)."""
    failure: str = ""
    """The end of the failing build's reason."""

    @property
    def broken_by_fixes(self) -> bool:
        return self.original_builds and self.fixed_builds is False


def fixed_with_counts(original: str, unsafe: bool) -> tuple[str, Counter[str]]:
    """`codi fix`'s passes, counting per rule the fixes each pass applied; the text is `fix_text`'s."""
    applied: Counter[str] = Counter()
    text = original
    for _ in range(MAX_FIX_PASSES):
        result = lint_text(text)
        fixes = result.fixes(unsafe=unsafe)
        applied.update(finding.code for finding in result.findings if finding.fix is not None and finding.fix in fixes)
        new_text = apply_fixes(text, fixes)
        if new_text == text:
            break
        text = new_text
    return fix_text(original, unsafe=unsafe), applied


def builds(runner: DockerBuildRunner, text: str, tag: str, log_dir: Path, built: list[BuiltImage]) -> tuple[bool, str]:
    """Whether `text` builds on an empty context, and why not; the image goes to `built`.

    Images are removed only once every build is done: removing one while another build uses its
    layers as cache fails that build.
    """
    log = log_dir / f"{tag.replace('/', '_').replace(':', '_')}.log"
    with tempfile.TemporaryDirectory() as context:
        try:
            built.append(runner.build(text, Path(context), tag, BUILD_TIMEOUT_S, MEMORY_LIMIT, CPU_QUOTA, log))
        except BuildFailed as failed:
            return False, failed.reason[-300:]
    return True, ""


def measure(path: Path, runner: DockerBuildRunner, unsafe: bool, log_dir: Path, built: list[BuiltImage]) -> FixOutcome:
    original = path.read_text(encoding="utf-8")
    fixed, applied = fixed_with_counts(original, unsafe)
    outcome = FixOutcome(path.stem, dict(sorted(applied.items())))
    tag = f"codi-fix-safety/{path.stem.lower()}"
    outcome.original_builds, reason = builds(runner, original, f"{tag}:original-{os.getpid()}", log_dir, built)
    if not outcome.original_builds:
        outcome.failure = f"original: {reason}"
        return outcome
    if fixed != original:
        outcome.fixed_builds, reason = builds(runner, fixed, f"{tag}:fixed-{os.getpid()}", log_dir, built)
        outcome.failure = f"fixed: {reason}" if reason else ""
    return outcome


def run(paths: list[Path], unsafe: bool, jobs: int, log_dir: Path) -> list[FixOutcome]:
    docker_host = os.environ.get("DOCKER_HOST")
    if not docker_host:
        raise SystemExit("DOCKER_HOST is not set: export DOCKER_HOST=$(scripts/engine | tail -n 1)")
    network = os.environ.get("CODI_BUILD_NETWORK") or "host"
    if network not in ("codi", "none", "host"):
        raise SystemExit(f"CODI_BUILD_NETWORK must be codi, none or host, not {network!r}")

    built: list[BuiltImage] = []

    def one(path: Path) -> FixOutcome:
        runner = DockerBuildRunner(docker_host, log_dir, network)  # type: ignore[arg-type]
        try:
            outcome = measure(path, runner, unsafe, log_dir, built)
        finally:
            runner.close()
        fixed = {None: "unchanged", True: "fixed builds", False: "FIXED FAILS"}[outcome.fixed_builds]
        print(f"{outcome.name}: original {'builds' if outcome.original_builds else 'FAILS'}, {fixed}", file=sys.stderr)
        return outcome

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(one, paths))
    finally:
        remover = DockerBuildRunner(docker_host, log_dir, network)  # type: ignore[arg-type]
        for image in built:
            remover.remove(image)
        remover.close()


def report(outcomes: list[FixOutcome], unsafe: bool) -> str:
    kind = "safe and unsafe" if unsafe else "safe"
    by_rule: Counter[str] = Counter()
    for outcome in outcomes:
        by_rule.update(outcome.fixes)
    building = [o for o in outcomes if o.original_builds]
    broken = [o for o in outcomes if o.broken_by_fixes]
    lines = [f"{'file':32} {'fixes':>5}  original  fixed   rules"]
    for o in outcomes:
        fixed = "-" if o.fixed_builds is None else ("builds" if o.fixed_builds else "FAILS")
        rules = " ".join(f"{code}x{count}" for code, count in o.fixes.items())
        lines.append(f"{o.name:32} {sum(o.fixes.values()):5}  {'builds' if o.original_builds else 'FAILS':8}  {fixed:6}  {rules}")
        if o.failure:
            lines.append(f"    {o.failure.splitlines()[-1] if o.failure.splitlines() else o.failure}")
    lines.append("")
    lines.append(f"{len(outcomes)} files, {len(building)} originals build; {sum(by_rule.values())} {kind} fixes applied")
    lines.append("  by rule: " + ", ".join(f"{code} {count}" for code, count in sorted(by_rule.items())))
    lines.append(f"building originals broken by the fixes: {len(broken)} (target 0) {[o.name for o in broken]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--dir", type=Path, default=FILES, help="folder of *.Dockerfile to build")
    parser.add_argument("--unsafe", action="store_true", help="apply unsafe fixes too (codi fix --unsafe)")
    parser.add_argument("--jobs", type=int, default=2, help="builds at once")
    parser.add_argument("--json", type=Path, help="write the outcomes here")
    args = parser.parse_args(argv)
    paths = sorted(args.dir.glob("*.Dockerfile"))
    if not paths:
        raise SystemExit(f"no *.Dockerfile in {args.dir}")
    with tempfile.TemporaryDirectory() as logs:
        outcomes = run(paths, args.unsafe, args.jobs, Path(logs))
    print(report(outcomes, args.unsafe))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=2) + "\n")
    return 1 if any(o.broken_by_fixes for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
