"""Fuzz the parser, lint (ShellCheck off), fix and optimise entry points with generated and mutated inputs.

Inputs: windows of the corpus files (`../shared/corpus/dockerfiles`) and of generated Dockerfiles, each
mutated a few times (lines dropped, duplicated, swapped or cut; bytes inserted; Dockerfile and shell
syntax fragments spliced in: continuations, heredocs, `${A:-`, quotes, flags, JSON brackets). Every
input goes through `parse`, `lint_text`, `fix_text` and `optimize`; an exception is a failure (target 0).

Run: `.venv/bin/python bench/fuzz.py [--inputs 100000] [--seed 0] [--save DIR]`. It prints the inputs
run, the exceptions by type and place (the first of each is saved under --save to reproduce), the
slowest input and its time, and the total time. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from codi.pipeline.config import LintConfig
from codi.pipeline.lint import fix_text, lint_text
from codi.pipeline.optimize.optimizer import optimize
from codi.pipeline.parser import parse

CONFIG = LintConfig(shellcheck=False)
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dockerfiles"
FRAGMENTS = (
    "\\\n", "\\", "\n", " ", "\t", "#", "# escape=`\n", "# syntax=docker/dockerfile:1\n", "${A:-", "${", "}", "$A",
    "${A:+${B}}", '"', "'", "[", "]", '["sh", "-c", "', "<<EOF\n", "\nEOF\n", "<<-'EOT' ", "--from=", "--mount=type=cache,",
    "--chown=", "=", "&&", "||", "|", ";", "$(", ")", "`", "@sha256:", ":latest", "FROM ", "RUN ", "COPY . .\n",
    "WORKDIR ", "ENV ", "ARG ", "USER ", "HEALTHCHECK CMD ", "ONBUILD ", "SHELL [\"bash\"]\n", "AS ", "\x00", "\r",
    "é", "\u2028", "apt-get install -y ", "pip install ", "npm install ", "curl -sL http://x | sh", "sudo ",
)  # fmt: skip
KEYWORDS = ("RUN", "COPY", "ADD", "ENV", "ARG", "WORKDIR", "USER", "EXPOSE", "LABEL", "CMD", "ENTRYPOINT", "VOLUME")


def generated(rng: random.Random) -> str:
    """A random Dockerfile of a few stages of random instructions."""
    lines: list[str] = []
    for stage in range(rng.randint(1, 3)):
        base = rng.choice(("debian:12", "python:3.12-slim", "node:20", "golang:1.22", "scratch", f"s{stage - 1}"))
        lines.append(f"FROM {base} AS s{stage}")
        for _ in range(rng.randint(0, 12)):
            keyword = rng.choice(KEYWORDS)
            words = " ".join(rng.choice(FRAGMENTS).strip() or "x" for _ in range(rng.randint(1, 4)))
            lines.append(f"{keyword} {words}")
    return "\n".join(lines) + "\n"


def mutate(text: str, rng: random.Random) -> str:
    """One random edit of `text`."""
    lines = text.splitlines(keepends=True) or [""]
    choice = rng.randrange(7)
    index = rng.randrange(len(lines))
    if choice == 0:
        del lines[index]
    elif choice == 1:
        lines.insert(index, lines[rng.randrange(len(lines))])
    elif choice == 2:
        other = rng.randrange(len(lines))
        lines[index], lines[other] = lines[other], lines[index]
    elif choice == 3:
        lines[index] = lines[index][: rng.randint(0, len(lines[index]))]
    else:
        line = lines[index]
        at = rng.randint(0, len(line))
        insert = rng.choice(FRAGMENTS) if choice < 6 else chr(rng.randrange(0x20, 0x7F))
        lines[index] = line[:at] + insert + line[at:]
    return "".join(lines)


def inputs(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    corpus = [path.read_text(encoding="utf-8", errors="surrogateescape") for path in sorted(CORPUS.glob("*"))]
    out = []
    for number in range(count):
        if corpus and number % 2 == 0:
            lines = rng.choice(corpus).splitlines(keepends=True)
            start = rng.randrange(max(len(lines), 1))
            text = "".join(lines[start : start + rng.randint(1, 30)])
        else:
            text = generated(rng)
        for _ in range(rng.randint(0, 4)):
            text = mutate(text, rng)
        out.append(text)
    return out


def run(text: str) -> None:
    parse(text)
    lint_text(text, CONFIG)
    fix_text(text, CONFIG)
    optimize("Dockerfile", text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, default=Path("/tmp/codi-fuzz"))
    args = parser.parse_args()
    started = time.perf_counter()
    failures: Counter[str] = Counter()
    slowest = (0.0, "")
    for number, text in enumerate(inputs(args.inputs, args.seed)):
        began = time.perf_counter()
        try:
            run(text)
        except Exception as error:  # noqa: BLE001 - every exception is a finding of the fuzzer
            frame = traceback.extract_tb(error.__traceback__)[-1]
            key = f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            if not failures[key]:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"{len(failures)}.Dockerfile").write_text(text, errors="surrogateescape")
                print(f"input {number}: {key}: {error}", flush=True)
            failures[key] += 1
        elapsed = time.perf_counter() - began
        if elapsed > slowest[0]:
            slowest = (elapsed, text)
        if number and number % 10_000 == 0:
            print(f"{number:,} inputs, {sum(failures.values())} exceptions, {time.perf_counter() - started:.0f} s", flush=True)
    total = time.perf_counter() - started
    print(f"inputs run: {args.inputs:,}")
    print(f"exceptions: {sum(failures.values())}" + "".join(f"\n  {n} × {key}" for key, n in failures.most_common()))
    print(f"slowest input: {slowest[0] * 1000:.1f} ms, {len(slowest[1])} characters: {slowest[1][:200]!r}")
    print(f"total time: {total:.0f} s ({total / args.inputs * 1000:.2f} ms per input)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
