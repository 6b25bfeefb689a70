"""Build contexts through real reviews: the head archive comes from the local GitHub API server, a real arq review
worker on real Redis measures the builds (no build worker runs: each is reported "no runner for amd64" after the
deadline), and the context is gone once they are collected; an archive over the cap builds nothing and leaves
nothing; `codi worker` sweeps stale contexts when it starts (and hourly)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codi.comments.markdown import message_text
from codi.comments.summary import is_summary_comment
from codi.settings import Settings
from codi.worker.contexts import context_root
from tests.github_api.server import FakeGitHub
from tests.worker.conftest import (
    HEAD_DOCKERFILE,
    NAME,
    OWNER,
    WorkerProcess,
    review_job,
    run_jobs,
    seed_pull,
    wait_until,
)

NOT_BUILT = "no runner for amd64"



def _summary(github_api: FakeGitHub) -> str:
    [summary] = [c.body for c in github_api.issue_comments(OWNER, NAME, 1) if is_summary_comment(c.body)]
    return summary


def _files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if not path.is_dir())


@pytest.fixture
def watch() -> Iterator[Callable[[Path], list[str]]]:
    """Watches a folder from another thread while a review runs: the file names seen in it (once each)."""
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def start(folder: Path) -> list[str]:
        seen: list[str] = []

        def poll() -> None:
            while not stop.is_set():
                if folder.is_dir():
                    seen.extend(p.name for p in folder.iterdir() if p.name not in seen)
                time.sleep(0.01)

        threads.append(threading.Thread(target=poll, daemon=True))
        threads[-1].start()
        return seen

    yield start
    stop.set()
    for thread in threads:
        thread.join(5)


def test_the_context_is_removed_once_the_builds_are_collected(
    builds: Settings, github_api: FakeGitHub, watch: Callable[[Path], list[str]]
) -> None:
    pull = seed_pull(github_api, author="maintainer",
                     head_files={"Dockerfile": HEAD_DOCKERFILE, "app.py": "print()\n"})  # fmt: skip
    github_api.set_permission(OWNER, NAME, pull.author, "write")
    root = context_root(builds.data_dir, OWNER, NAME, pull.head_sha)
    seen = watch(root)

    assert run_jobs(builds, review_job(pull))["complete"] == 1

    assert NOT_BUILT in _summary(github_api)  # the builds were enqueued and collected
    assert {"Dockerfile", "app.py"} <= set(seen)  # from the archive, while they waited
    assert not root.exists() and _files(builds.data_dir) == []
    assert list(root.parent.iterdir()) == []  # no download, scratch or renamed-aside folder either

    # The same commit reviewed again (`/codi rerun`) downloads and unpacks the archive again, and removes it again.
    assert run_jobs(builds, review_job(pull, reason="rerun", delivery_id="delivery-2"))["complete"] == 1
    codeload = [r for r in github_api.requests if r.path.startswith("/_codeload/") and r.status == 200]
    assert len(codeload) == 2 and not root.exists()
    assert github_api.violations == []


def test_an_archive_over_the_cap_builds_nothing_and_leaves_nothing(builds: Settings, github_api: FakeGitHub) -> None:
    pull = seed_pull(github_api, author="maintainer",
                     head_files={"Dockerfile": HEAD_DOCKERFILE, "blob.txt": os.urandom(32_000).hex()})  # fmt: skip
    github_api.set_permission(OWNER, NAME, pull.author, "write")
    capped = builds.model_copy(update={"context_max_archive_bytes": 16_000})

    assert run_jobs(capped, review_job(pull))["complete"] == 1

    summary = _summary(github_api)
    assert message_text("Nothing was built: the repository archive is larger than 16000 bytes.") in summary
    assert NOT_BUILT not in summary  # no build was enqueued
    assert [r.status for r in github_api.requests if r.path.startswith("/_codeload/")] == [200]
    assert _files(capped.data_dir) == []  # no partial archive, no scratch folder
    assert list(context_root(capped.data_dir, OWNER, NAME, pull.head_sha).parent.iterdir()) == []
    assert github_api.violations == []


def test_codi_worker_sweeps_stale_contexts_when_it_starts(
    builds: Settings, start_worker: Callable[..., WorkerProcess]
) -> None:
    stale, fresh = (context_root(builds.data_dir, OWNER, NAME, sha * 40) for sha in "ab")
    for root in (stale, fresh):
        root.mkdir(parents=True)
        (root / "Dockerfile").write_text("FROM scratch\n")
    leftover = stale.parent / f".{'c' * 40}.x1.tar.gz"
    leftover.write_bytes(b"half an archive")
    for path in (stale, leftover):
        os.utime(path, (time.time() - 3 * 3600,) * 2)
    os.utime(fresh, (time.time() - 3600,) * 2)

    start_worker(CODI_DATA_DIR=str(builds.data_dir), CODI_CONTEXT_MAX_AGE_HOURS="2")

    wait_until(lambda: not stale.exists() and not leftover.exists(), 30, "the sweep of stale contexts")
    assert (fresh / "Dockerfile").read_text() == "FROM scratch\n"
    assert list(stale.parent.iterdir()) == [fresh]
