"""Stage timing for the edges that run the pipeline: one helper, shared by run records and `codi perf`.

The pure core never imports this; an edge wraps each call into the core in a stage (or a lap), and
hands the core a checker wrapped by `timed_checker` so ShellCheck's share is timed apart from the
stage that calls it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codi.pipeline.lint import ScriptChecker, ScriptFinding, ScriptInput


@dataclass(kw_only=True)
class StageTimer:
    """Seconds per named stage; a stage may run in parts (its times add up)."""

    durations: dict[str, float] = field(default_factory=dict)
    _lapped: float = field(default_factory=time.perf_counter)

    def lap(self, name: str) -> None:
        """The time since the last lap, stage or start is stage `name`'s: for code timed without a block around it."""
        now = time.perf_counter()
        self.durations[name] = self.durations.get(name, 0.0) + now - self._lapped
        self._lapped = now

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage `name` (added to its earlier time: a stage may run in parts); a lap starts after."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self._lapped = time.perf_counter()
            self.durations[name] = self.durations.get(name, 0.0) + self._lapped - start

    def timed_checker(self, checker: ScriptChecker | None) -> ScriptChecker | None:
        """`checker` with its calls timed as the `shellcheck` stage (taken out of the `lint` stage that calls it)."""
        return None if checker is None else _TimedChecker(checker, self)


@dataclass
class _TimedChecker:
    checker: ScriptChecker
    timer: StageTimer

    def check_scripts(self, scripts: Sequence[ScriptInput]) -> list[list[ScriptFinding]]:
        start = time.perf_counter()
        try:
            return self.checker.check_scripts(scripts)
        finally:
            elapsed = time.perf_counter() - start
            durations = self.timer.durations
            durations["shellcheck"] = durations.get("shellcheck", 0.0) + elapsed
            durations["lint"] = durations.get("lint", 0.0) - elapsed  # the lint stage's block still runs
