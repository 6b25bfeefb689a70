"""The pure pipeline in child processes a deadline can kill.

A thread cannot be stopped: a Dockerfile that makes the lint or the optimiser
slow would hold a worker slot (and a core) past any timeout. So each call
runs in one of a few single-process pools; when the call passes its deadline
that process is killed with its process group (ShellCheck included) and the
slot gets a fresh process, while calls in the other slots go on untouched.

Arguments and results cross the boundary as pickle between codi's own
processes (the forkserver forks children that already imported the pipeline);
nothing here touches Redis.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from codi.comments.candidates import OptimizedFile, optimize_files
from codi.pipeline.config import LintConfig
from codi.pipeline.lint import AppliedFix, ScriptChecker, fix_passes
from codi.pipeline.optimize.stack import detect_stack
from codi.pipeline.review import ChangedFile, FileReview, review_files

log = logging.getLogger("codi.worker")

P = ParamSpec("P")
R = TypeVar("R")

PRELOAD = ["codi.worker.sandbox", "codi.adapters.shellcheck"]
"""Imported once by the forkserver (this module brings the pipeline), so a fresh child starts in milliseconds."""


class AnalysisTimedOut(RuntimeError):
    """A pipeline call ran past its deadline and its process was killed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"analysis timed out after {seconds:g} s")
        self.seconds = seconds


class _Slot:
    """One child process (a one-worker pool), started on first use; its pid is known so it can be killed."""

    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=os.setpgrp)
        self.pid: int | None = None

    async def start(self) -> None:
        if self.pid is None:
            self.pid = await asyncio.wrap_future(self.pool.submit(os.getpid))

    def kill(self) -> None:
        """SIGKILL the child's process group (it leads one: `os.setpgrp` at start), then drop the pool."""
        if self.pid is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.pool.shutdown(wait=False, cancel_futures=True)


class AnalysisSandbox:
    """`run(function, *args)` in a child process, killed after `deadline` seconds."""

    def __init__(self, deadline: float, processes: int | None = None) -> None:
        self.deadline = deadline
        self.processes = processes or max(1, min(4, os.cpu_count() or 1))
        self._context = _forkserver()
        self._idle: asyncio.Queue[_Slot] | None = None
        self._slots: list[_Slot] = []

    def _queue(self) -> asyncio.Queue[_Slot]:
        """Made on first use, in the worker's running loop."""
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self.processes):
                self._idle.put_nowait(self._new_slot())
        return self._idle

    def _new_slot(self) -> _Slot:
        slot = _Slot(self._context)
        self._slots.append(slot)
        return slot

    async def run(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """`function(*args)` in a free slot; past the deadline (counted once a slot is free) the child is
        killed and `AnalysisTimedOut` raised. A cancelled job kills its child too: nobody waits for it."""
        idle = self._queue()
        slot = await idle.get()
        future: asyncio.Future[R] | None = None
        try:
            await slot.start()
            future = asyncio.wrap_future(slot.pool.submit(function, *args, **kwargs))
            done, _ = await asyncio.wait({future}, timeout=self.deadline)
        except BaseException:  # cancelled (job timeout, shutdown) or the child died: the slot is not reusable
            if future is not None:
                future.cancel()
            self._replace(slot)
            raise
        if not done:
            future.cancel()  # its BrokenProcessPool, once the child is killed, is nobody's news
            log.warning("analysis (%s) passed its deadline of %g s: child %s killed",
                        getattr(function, "__name__", function), self.deadline, slot.pid)
            self._replace(slot)
            raise AnalysisTimedOut(self.deadline)
        if isinstance(future.exception(), BrokenProcessPool):
            self._replace(slot)
        else:
            idle.put_nowait(slot)
        return future.result()

    def _replace(self, slot: _Slot) -> None:
        slot.kill()
        self._slots.remove(slot)
        self._queue().put_nowait(self._new_slot())

    def close(self) -> None:
        for slot in self._slots:
            slot.kill()
        self._slots.clear()


def _forkserver() -> multiprocessing.context.BaseContext:
    """Forking the worker itself is unsafe (it runs threads); the forkserver forks a clean, preloaded process."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


# What the worker runs in the child (module-level, so they pickle by name)


def analyse(
    files: Sequence[ChangedFile], config: LintConfig, checker: ScriptChecker | None
) -> tuple[list[FileReview], list[OptimizedFile]]:
    """The review's pure part in one call, so one deadline covers the lint, the fixes and the optimiser."""
    return review_files(files, config, checker), optimize_files([(file.path, file.text) for file in files])


@dataclass(frozen=True)
class FixedFile:
    """A Dockerfile `/codi apply` changes: its text after every safe fix, the fixes applied, its stack."""

    path: str
    text: str
    applied: tuple[AppliedFix, ...]
    stack: str


def fixed_files(files: Sequence[ChangedFile], config: LintConfig, checker: ScriptChecker | None) -> list[FixedFile]:
    """The files a safe fix changes, each with its fixed text and the fixes applied (`/codi apply`)."""
    fixed = []
    for file in files:
        outcome = fix_passes(file.text, config, checker)
        if outcome.text != file.text:
            fixed.append(FixedFile(file.path, outcome.text, outcome.applied, detect_stack(file.text).stack))
    return fixed
