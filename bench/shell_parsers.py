"""Which shell parser for RUN scripts: tree-sitter-bash vs bashlex on the corpus.

Prints parse time and the number of scripts each could not read cleanly
(tree-sitter: scripts with an error node, still yielding the other commands;
bashlex: scripts it raised on, yielding nothing).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bashlex  # noqa: E402

from codi.pipeline.parser import parse  # noqa: E402
from codi.pipeline.shell import parse_script  # noqa: E402
from tests.corpus import corpus_files, read  # noqa: E402


def main() -> None:
    scripts = [
        instr.args
        for path in corpus_files()
        for instr in parse(read(path)).instructions
        if instr.keyword == "RUN" and instr.exec_form is None and instr.args.strip()
    ]
    start = time.perf_counter()
    ts_errors = sum(parse_script(script).has_errors for script in scripts)
    ts_time = time.perf_counter() - start

    start = time.perf_counter()
    bl_errors = 0
    for script in scripts:
        try:
            bashlex.parse(script)
        except Exception:  # bashlex raises many exception types on unsupported syntax
            bl_errors += 1
    bl_time = time.perf_counter() - start
    print(f"scripts: {len(scripts)}")
    print(f"tree-sitter-bash (codi's shell model incl. command extraction): {ts_time:.3f} s, {ts_errors} with error nodes")
    print(f"bashlex (parse only): {bl_time:.3f} s, {bl_errors} raised")
    print(f"bashlex / tree-sitter time: {bl_time / ts_time:.1f}x")


if __name__ == "__main__":
    main()
