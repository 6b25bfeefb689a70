"""Build approvals on SQLite and PostgreSQL: one commit of one pull request, whoever approved it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from codi.storage.approvals import ApprovalStore
from codi.storage.database import init_db

HEAD, NEXT = "a" * 40, "b" * 40


def test_an_approval_covers_its_commit_only(database_url: str) -> None:
    store = ApprovalStore(init_db(database_url))
    before = datetime.now(UTC)
    store.approve("Octo/App", 7, HEAD, "maintainer")
    [found] = store.approvals("octo/app", 7, HEAD)
    assert (found.repository, found.pull_number, found.head_sha, found.approver) == ("octo/app", 7, HEAD, "maintainer")
    assert before - timedelta(seconds=1) <= found.approved_at <= datetime.now(UTC)
    assert store.approvals("octo/app", 7, NEXT) == []  # a new push
    assert store.approvals("octo/app", 8, HEAD) == []  # another pull request at the same commit
    assert store.approvals("octo/other", 7, HEAD) == []


def test_approving_again_keeps_one_row_per_approver(database_url: str) -> None:
    engine = init_db(database_url)
    store = ApprovalStore(engine)
    first = store.approve("octo/app", 7, HEAD, "maintainer")
    again = store.approve("octo/app", 7, HEAD, "maintainer")
    other = store.approve("octo/app", 7, HEAD, "admin")
    assert again.id == first.id != other.id
    reopened = ApprovalStore(init_db(database_url)).approvals("octo/app", 7, HEAD)
    assert [row.approver for row in reopened] == ["maintainer", "admin"]  # each approver once, first first
