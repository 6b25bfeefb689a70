"""The analysis sandbox: real child processes, the real pipeline and ShellCheck, a deadline that kills."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from codi.adapters.shellcheck import ShellCheckRunner
from codi.pipeline.config import LintConfig
from codi.pipeline.review import ChangedFile, review_files
from codi.comments.candidates import optimize_files
from codi.worker.sandbox import AnalysisSandbox, AnalysisTimedOut, analyse
from tests.worker.conftest import HEAD_DOCKERFILE


def _alive(pid: int) -> bool:
    """True while `pid` runs (a zombie left for its parent to reap counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


def _wait_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_results_and_the_shellcheck_runner_cross_the_boundary() -> None:
    """The child's reviews and candidates equal the in-process ones (ShellCheck findings included)."""
    checker = ShellCheckRunner.discover()
    files = [ChangedFile("Dockerfile", HEAD_DOCKERFILE, None)]

    async def child() -> tuple[object, object, int]:
        sandbox = AnalysisSandbox(deadline=60, processes=1)
        try:
            result = await sandbox.run(analyse, files, LintConfig(), checker)
            return result[0], result[1], await sandbox.run(os.getpid)
        finally:
            sandbox.close()

    reviews, optimized, pid = asyncio.run(child())
    assert pid != os.getpid()
    assert [(f.code, f.line) for r in reviews for f in r.result.findings] == [
        (f.code, f.line) for r in review_files(files, LintConfig(), checker) for f in r.result.findings
    ]
    assert any(f.code.startswith("SC") for r in reviews for f in r.result.findings)
    assert [o.result.candidates for o in optimized] == [
        o.result.candidates for o in optimize_files([("Dockerfile", HEAD_DOCKERFILE)])
    ]


def test_a_call_past_its_deadline_is_killed_and_the_slot_starts_afresh() -> None:
    async def scenario() -> tuple[int, float, int, int]:
        sandbox = AnalysisSandbox(deadline=0.5, processes=1)
        try:
            first = await sandbox.run(os.getpid)
            started = time.monotonic()
            with pytest.raises(AnalysisTimedOut, match=r"analysis timed out after 0.5 s"):
                await sandbox.run(time.sleep, 30)
            waited = time.monotonic() - started
            assert _wait_gone(first), "the timed-out child still runs"
            second = await sandbox.run(os.getpid)
            return first, waited, second, await sandbox.run(sum, [1, 2, 3])
        finally:
            sandbox.close()

    first, waited, second, total = asyncio.run(scenario())
    assert 0.5 <= waited < 5
    assert second != first and total == 6


def test_an_exception_in_the_child_reaches_the_caller_and_keeps_the_child() -> None:
    async def scenario() -> tuple[int, int]:
        sandbox = AnalysisSandbox(deadline=10, processes=1)
        try:
            before = await sandbox.run(os.getpid)
            with pytest.raises(ValueError, match="invalid literal"):
                await sandbox.run(int, "not a number")
            return before, await sandbox.run(os.getpid)
        finally:
            sandbox.close()

    before, after = asyncio.run(scenario())
    assert before == after


def test_a_cancelled_caller_kills_its_child() -> None:
    """A job cancelled (its own deadline, a shutdown) leaves no analysis running on."""

    async def scenario() -> None:
        sandbox = AnalysisSandbox(deadline=60, processes=1)
        try:
            pid = await sandbox.run(os.getpid)
            call = asyncio.ensure_future(sandbox.run(time.sleep, 30))
            await asyncio.sleep(0.3)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            assert _wait_gone(pid), "the cancelled call's child still runs"
            assert await sandbox.run(sum, [2, 2]) == 4
        finally:
            sandbox.close()

    asyncio.run(scenario())
