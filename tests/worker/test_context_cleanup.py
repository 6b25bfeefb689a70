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
def watch() -> Iterator[Callable[[Path], list[frozenset[str]]]]:
    """Watches a folder from another thread while reviews run: the names in it at each change (while it exists)."""
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def start(folder: Path) -> list[frozenset[str]]:
        seen: list[frozenset[str]] = []

        def poll() -> None:
            while not stop.is_set():
                try:
                    names = frozenset(p.name for p in folder.iterdir()) if folder.is_dir() else None
                except FileNotFoundError:  # removed while listed
                    names = None
                if names is not None and (not seen or seen[-1] != names):
                    seen.append(names)
                time.sleep(0.01)

        threads.append(threading.Thread(target=poll, daemon=True))
        threads[-1].start()
        return seen

    yield start
    stop.set()
    for thread in threads:
        thread.join(5)


def test_the_context_is_removed_once_the_builds_are_collected(
    builds: Settings, github_api: FakeGitHub, watch: Callable[[Path], list[frozenset[str]]]
) -> None:
    pull = seed_pull(github_api, author="maintainer",
                     head_files={"Dockerfile": HEAD_DOCKERFILE, "app.py": "print()\n"})  # fmt: skip
    github_api.set_permission(OWNER, NAME, pull.author, "write")
    job = review_job(pull)
    root = context_root(builds.data_dir, OWNER, NAME, pull.head_sha, job.job_id)
    seen = watch(root)

    assert run_jobs(builds, job)["complete"] == 1

    assert NOT_BUILT in _summary(github_api)  # the builds were enqueued and collected
    assert {"Dockerfile", "app.py"} <= set().union(*seen)  # from the archive, while they waited
    assert not root.exists() and _files(builds.data_dir) == []
    assert list(root.parent.iterdir()) == []  # no download, scratch or renamed-aside folder either

    # The same commit reviewed again (`/codi rerun`) downloads and unpacks the archive again, and removes it again.
    assert run_jobs(builds, review_job(pull, reason="rerun", delivery_id="delivery-2"))["complete"] == 1
    codeload = [r for r in github_api.requests if r.path.startswith("/_codeload/") and r.status == 200]
    assert len(codeload) == 2 and list(root.parent.iterdir()) == []
    assert github_api.violations == []


def test_two_reviews_of_one_commit_build_from_contexts_of_their_own(
    builds: Settings, github_api: FakeGitHub, watch: Callable[[Path], list[frozenset[str]]]
) -> None:
    """Two reruns of the same head at once, on one worker: each unpacks and removes its own context, so the
    one done first cannot take the other's away while that one's builds wait."""
    pull = seed_pull(github_api, author="maintainer",
                     head_files={"Dockerfile": HEAD_DOCKERFILE, "app.py": "print()\n"})  # fmt: skip
    github_api.set_permission(OWNER, NAME, pull.author, "write")
    jobs = [review_job(pull, reason="rerun", delivery_id=f"delivery-{n}") for n in (1, 2)]
    roots = {context_root(builds.data_dir, OWNER, NAME, pull.head_sha, job.job_id) for job in jobs}
    assert len(roots) == 2
    [folder] = {root.parent for root in roots}
    seen = watch(folder)
    contents = {root: watch(root) for root in roots}

    assert run_jobs(builds, *jobs) == {"complete": 2, "failed": 0, "retried": 0}

    assert NOT_BUILT in _summary(github_api)
    contexts = [names for names in seen if {root.name for root in roots} <= names]
    assert contexts, f"the two contexts were never there at once: {seen}"  # both reviews waited on their builds
    for root, names in contents.items():
        assert {"Dockerfile", "app.py"} <= set().union(*names)
        assert not root.exists()
    codeload = [r for r in github_api.requests if r.path.startswith("/_codeload/") and r.status == 200]
    assert len(codeload) == 2  # each review downloaded its own
    assert list(folder.iterdir()) == [] and _files(builds.data_dir) == []
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
    assert list((capped.data_dir / "contexts" / OWNER / NAME).iterdir()) == []
    assert github_api.violations == []


def test_codi_worker_sweeps_stale_contexts_when_it_starts(
    builds: Settings, start_worker: Callable[..., WorkerProcess]
) -> None:
    stale, fresh = (context_root(builds.data_dir, OWNER, NAME, sha * 40, "review:x") for sha in "ab")
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
