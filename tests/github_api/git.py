"""The fake's git: content-addressed blobs, flat trees and commits, and diffs shaped as GitHub gives them."""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from itertools import count

_NO_NEWLINE = "\\ No newline at end of file"
_SENTINEL = "\x00no-newline"


def blob_sha(content: str) -> str:
    """Git's object id of a blob, so SHAs look and behave like GitHub's."""
    data = content.encode()
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Commit:
    sha: str
    tree_sha: str
    parents: tuple[str, ...]
    message: str
    files: dict[str, str]
    """Path → content: the whole snapshot, so any commit answers `contents/` on its own."""
    date: str


@dataclass
class GitStore:
    """Objects shared by every repository of the fake (content addressing makes that harmless)."""

    blobs: dict[str, str] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)
    """Tree SHA → path → blob SHA (flat: nested paths are keys)."""
    commits: dict[str, Commit] = field(default_factory=dict)
    _serial: count = field(default_factory=lambda: count(1))

    def add_blob(self, content: str) -> str:
        sha = blob_sha(content)
        self.blobs[sha] = content
        return sha

    def add_tree(self, entries: dict[str, str]) -> str:
        """Store a flat tree of path → blob SHA and return its SHA."""
        canonical = json.dumps(sorted(entries.items())).encode()
        sha = hashlib.sha1(b"tree " + canonical).hexdigest()
        self.trees[sha] = dict(entries)
        return sha

    def tree_files(self, tree_sha: str) -> dict[str, str]:
        return {path: self.blobs[blob] for path, blob in self.trees[tree_sha].items()}

    def commit_tree(self, tree_sha: str, parents: list[str], message: str, date: str) -> Commit:
        seed = f"{tree_sha}\n{parents}\n{message}\n{next(self._serial)}".encode()
        sha = hashlib.sha1(b"commit " + seed).hexdigest()
        commit = Commit(sha, tree_sha, tuple(parents), message, self.tree_files(tree_sha), date)
        self.commits[sha] = commit
        return commit

    def commit_files(self, files: dict[str, str], parents: list[str], message: str, date: str) -> Commit:
        tree = self.add_tree({path: self.add_blob(content) for path, content in files.items()})
        return self.commit_tree(tree, parents, message, date)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        pending = [descendant]
        seen = set()
        while pending:
            sha = pending.pop()
            if sha == ancestor:
                return True
            if sha in seen or sha not in self.commits:
                continue
            seen.add(sha)
            pending.extend(self.commits[sha].parents)
        return False


@dataclass(frozen=True)
class FileDiff:
    """One entry of `pulls/{n}/files`: GitHub's patch (hunks only) and the lines a review may comment on."""

    filename: str
    status: str
    patch: str
    additions: int
    deletions: int
    blob_sha: str

    def walk(self) -> list[tuple[int, int, str, int | None, int | None]]:
        """Per line of the patch below a hunk header: (hunk index, patch line index, kind, old line, new line).

        kind is ' ', '+' or '-'; a line absent from one side has None there. Diff `position`s count
        patch lines below the first header, so the patch line index is also the position.
        """
        rows: list[tuple[int, int, str, int | None, int | None]] = []
        hunk = -1
        old = new = 0
        for index, text in enumerate(self.patch.split("\n")):
            if text.startswith("@@"):
                ranges = text.split("@@")[1].split()
                old = int(ranges[0][1:].split(",")[0])
                new = int(ranges[1][1:].split(",")[0])
                hunk += 1
            elif text.startswith("+"):
                rows.append((hunk, index, "+", None, new))
                new += 1
            elif text.startswith("-"):
                rows.append((hunk, index, "-", old, None))
                old += 1
            elif text.startswith(" "):
                rows.append((hunk, index, " ", old, new))
                old += 1
                new += 1
        return rows

    def _row(self, line: int, side: str) -> tuple[int, int, str, int | None, int | None] | None:
        for row in self.walk():
            if (row[4] if side == "RIGHT" else row[3]) == line:
                return row
        return None

    def hunk_of(self, line: int, side: str) -> int | None:
        """Index of the hunk holding `line` on `side` (RIGHT: new file, LEFT: old file), None outside the diff."""
        row = self._row(line, side)
        return None if row is None else row[0]

    def position_of(self, line: int, side: str) -> int | None:
        row = self._row(line, side)
        return None if row is None else row[1]

    def diff_hunk(self, line: int, side: str) -> str:
        """The hunk header and lines up to the commented one, as GitHub's `diff_hunk`."""
        row = self._row(line, side)
        if row is None:
            raise ValueError(f"line {line} ({side}) is not in the diff of {self.filename}")
        lines = self.patch.split("\n")
        header = max(index for index in range(row[1]) if lines[index].startswith("@@"))
        return "\n".join(lines[header : row[1] + 1])

    def position_line(self, position: int) -> tuple[int, str] | None:
        """The (line, side) at a legacy diff `position`, None on a hunk header or past the end."""
        for _hunk, index, kind, old, new in self.walk():
            if index == position:
                return (old, "LEFT") if kind == "-" else (new, "RIGHT")  # type: ignore[return-value]
        return None


def _lines(content: str) -> list[str]:
    lines = content.split("\n")
    if lines[-1] == "":
        return lines[:-1]
    lines[-1] += _SENTINEL  # a last line without newline differs from the same line with one, as in git
    return lines


def unified_patch(before: str, after: str) -> str:
    """Hunks with 3 lines of context and no file headers: the `patch` field of GitHub's diff entries."""
    body = list(difflib.unified_diff(_lines(before), _lines(after), lineterm="", n=3))[2:]
    return "\n".join(
        line.replace(_SENTINEL, "") + ("\n" + _NO_NEWLINE if line.endswith(_SENTINEL) else "") for line in body
    )


def diff_files(base: dict[str, str], head: dict[str, str]) -> list[FileDiff]:
    """Changed files between two snapshots, in path order, with status added/modified/removed."""
    entries = []
    for path in sorted(set(base) | set(head)):
        before, after = base.get(path), head.get(path)
        if before == after:
            continue
        status = "added" if before is None else "removed" if after is None else "modified"
        patch = unified_patch(before or "", after or "")
        changed = [line for line in patch.split("\n") if not line.startswith("@@")]
        entries.append(
            FileDiff(
                filename=path,
                status=status,
                patch=patch,
                additions=sum(1 for line in changed if line.startswith("+")),
                deletions=sum(1 for line in changed if line.startswith("-")),
                blob_sha=blob_sha(after if after is not None else before or ""),
            )
        )
    return entries
