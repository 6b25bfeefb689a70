"""Lint, fix and optimise time on pathological inputs at 1k, 10k and 100k units, with the growth per 10×.

A linear path grows about 10× per 10× of input (target ≤ 12×); a quadratic one shows 100×.
ShellCheck is off (`LintConfig(shellcheck=False)`): it is an external process whose own cost is
not codi's. One unit per shape:

- `runs`: one `RUN` line (apt-get, pip, cd, curl: rules with fixes fire on each);
- `chain`: one continuation line of a single `RUN … \\` chain;
- `nested`: one level of `${A:-…}` in a single ENV line (8,000 levels took 3.5–4.8 s before);
- `stages`: one stage (`FROM … AS sN`, WORKDIR, COPY --from the previous stage);
- `copies`: one WORKDIR + COPY pair in a single stage (WORKDIR resolution per COPY);
- `envs`: one `ENV` line declaring a new variable (scopes per instruction);
- `long-line`: 100 characters of one RUN line (100k units = a 10 MB line).

Run: `.venv/bin/python bench/pathological.py [--sizes 1000,10000,100000] [--shapes runs,chain]
[--budget SECONDS] [--gc off] [--instructions]`. A step that takes longer than the budget (default
120 s) stops its shape's larger sizes, and the table says so.

Wall time on a larger heap grows faster than the work (caches, the garbage collector's full
collections), so two more measures tell a super-linear path from the machine:
- `--gc off`: each step runs with the collector disabled and the input's objects frozen
  (`gc.disable()`, `gc.freeze()`);
- `--instructions`: each step runs in a child under `valgrind --tool=callgrind` and the table shows
  the CPU instructions it executed (the child's total less a child that only builds the input), in
  millions: a linear path grows 10× per 10× whatever the heap. Slow (about 50× the wall time).
"""

from __future__ import annotations

import argparse
import gc
import re
import subprocess
import sys
import time
from collections.abc import Callable

from codi.pipeline.config import LintConfig
from codi.pipeline.lint import fix_text, lint_text
from codi.pipeline.optimize.optimizer import optimize

CONFIG = LintConfig(shellcheck=False)


def runs(n: int) -> str:
    commands = (
        "apt-get update && apt-get install curl",
        "pip install requests",
        "cd /tmp && make",
        "curl -s http://example.com/x | sh",
    )
    return "FROM debian:12\n" + "".join(f"RUN {commands[i % 4]} # {i}\n" for i in range(n)) + 'CMD ["sh"]\n'


def chain(n: int) -> str:
    body = "".join(f"    echo step {i} && \\\n" for i in range(n))
    return "FROM debian:12\nRUN apt-get update && \\\n" + body + "    true\n"


def nested(n: int) -> str:
    return "FROM debian:12\nARG A\nENV X=" + "${A:-" * n + "x" + "}" * n + '\nCMD ["sh"]\n'


def stages(n: int) -> str:
    parts = ["FROM debian:12 AS s0\nWORKDIR /app\nCOPY . .\n"]
    parts.extend(f"FROM debian:12 AS s{i}\nWORKDIR /w{i}\nCOPY --from=s{i - 1} /w{i - 1} ./\n" for i in range(1, n))
    return "".join(parts) + 'CMD ["sh"]\n'


def copies(n: int) -> str:
    body = "".join(f"WORKDIR /app/d{i}\nCOPY f{i}.txt ./\n" for i in range(n // 2))
    return "FROM debian:12\n" + body + 'CMD ["sh"]\n'


def envs(n: int) -> str:
    return "FROM debian:12\n" + "".join(f"ENV V{i}=${{V{i - 1}:-x}}/{i}\n" for i in range(n)) + 'CMD ["sh"]\n'


def long_line(n: int) -> str:
    word = "a.b-c_d/e:f=g${H}i" * 5 + " " * 10
    return "FROM debian:12\nRUN echo " + (word * ((n * 100) // len(word) + 1))[: n * 100] + '\nCMD ["sh"]\n'


SHAPES: dict[str, Callable[[int], str]] = {
    "runs": runs,
    "chain": chain,
    "nested": nested,
    "stages": stages,
    "copies": copies,
    "envs": envs,
    "long-line": long_line,
}
STEPS: dict[str, Callable[[str], object]] = {
    "lint": lambda text: lint_text(text, CONFIG),
    "fix": lambda text: fix_text(text, CONFIG),
    "optimize": lambda text: optimize("Dockerfile", text),
}


def timed(step: Callable[[str], object], text: str, collector: bool = True) -> float:
    """Seconds `step` takes on `text`; with `collector` off, no garbage collection runs meanwhile."""
    if not collector:
        gc.collect()
        gc.freeze()
        gc.disable()
    try:
        started = time.perf_counter()
        step(text)
        return time.perf_counter() - started
    finally:
        gc.enable()
        gc.unfreeze()


_COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(shape: str, step: str, size: int) -> float:
    """CPU instructions (millions) `step` executes on `shape` at `size`: callgrind's count of a child that runs
    it, less one of a child that only builds the input and warms up (interpreter start, imports, the step once on
    a one-unit input)."""

    def counted(measured: bool) -> int:
        command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
                   "--child", shape, step, str(size), "measured" if measured else "baseline"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return int(_COLLECTED.findall(done.stderr)[-1])

    return (counted(True) - counted(False)) / 1e6


def child(shape: str, step: str, size: int, measured: bool) -> None:
    """`--instructions`' child: build the input, run the step once on one unit, then on the input if `measured`."""
    text = SHAPES[shape](size)
    STEPS[step](SHAPES[shape](1))
    if measured:
        STEPS[step](text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--budget", type=float, default=120.0, help="seconds a step may take before larger sizes stop")
    parser.add_argument("--gc", choices=["on", "off"], default="on", help="off: no garbage collection during a step")
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind, not time")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        shape, step, size, mode = args.child
        child(shape, step, int(size), mode == "measured")
        return 0
    sizes = [int(size) for size in args.sizes.split(",")]
    unit = "M instructions" if args.instructions else f"seconds, collector {args.gc}"
    print(f"shape      step      {''.join(f'{size:>12,}' for size in sizes)}   growth per 10× ({unit})")
    worst = 0.0
    for shape in args.shapes.split(","):
        for step_name in args.steps.split(","):
            measures: list[float] = []
            for size in sizes:
                if args.instructions:
                    measures.append(instructions(shape, step_name, size))
                    continue
                measures.append(timed(STEPS[step_name], SHAPES[shape](size), collector=args.gc == "on"))
                if measures[-1] > args.budget:
                    break
            suffix = "M" if args.instructions else "s"
            cells = "".join(f"{m:>11.3f}{suffix}" for m in measures)
            cells += "".join(f"{'(skipped)':>12}" for _ in sizes[len(measures) :])
            growth = [b / a for a, b in zip(measures, measures[1:]) if a > 0]
            worst = max([worst, *growth])
            print(f"{shape:<10} {step_name:<9}{cells}   {' '.join(f'{g:.1f}×' for g in growth)}", flush=True)
    print(f"worst growth per 10×: {worst:.1f}× (target ≤ 12×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
