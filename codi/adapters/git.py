"""A local git repository as a pull request: changed files, their diffs and texts at a ref.

`codi review` lets the diff between two refs stand for a PR. The patches are
cut to what GitHub's pulls/files API gives (the hunks from the first `@@`),
and the base is compared as GitHub does: from the merge base (`base...head`).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from codi.pipeline.review import ChangedFile


class GitError(RuntimeError):
    """A git command failed; the message says which and why (git's own words)."""


@dataclass(frozen=True)
class ChangedPath:
    """One entry of `git diff --name-status`: a file added, modified, renamed or copied (deletions left out)."""

    path: str
    old_path: str | None
    """The path at the base for a rename or copy."""


class LocalGitRepository:
    """Reads a repository with the `git` executable; never writes to it."""

    def __init__(self, path: Path, git: str = "git", timeout: float = 60.0) -> None:
        self.git = git
        self.timeout = timeout
        if not path.is_dir():
            raise GitError(f"{path}: no such directory")
        self.path = path
        self.root = Path(self._run("rev-parse", "--show-toplevel").strip())
        self.path = self.root  # git reports paths from the root; `ls-tree` and `diff --` read them from `-C`'s folder

    def resolve(self, ref: str) -> str:
        """The commit SHA a ref names."""
        return self._run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
                         what=f"no commit named {ref!r}").strip()  # fmt: skip

    def read_file(self, ref: str, path: str) -> str | None:
        """The text of `path` at `ref` (undecodable bytes kept as surrogates), None when it is not there."""
        return self._blob(self.resolve(ref), path)

    def changed_paths(self, base: str, head: str) -> list[ChangedPath]:
        """Files the head adds, modifies, renames or copies since the merge base with `base`."""
        output = self._run("diff", "--name-status", "-z", "-M", "--no-ext-diff", self._range(base, head))
        fields = output.split("\0")
        changed = []
        index = 0
        while index < len(fields) - 1:
            status = fields[index]
            if status[:1] in ("R", "C"):
                changed.append(ChangedPath(fields[index + 2], fields[index + 1]))
                index += 3
                continue
            if status[:1] != "D":
                changed.append(ChangedPath(fields[index + 1], None))
            index += 2
        return changed

    def patch(self, base: str, head: str, change: ChangedPath) -> str | None:
        """The file's hunks as GitHub's `patch` field has them; None for a binary file or no text change."""
        return self._patch(self._range(base, head), change)

    def changed_files(self, base: str, head: str, wanted: Callable[[str], bool]) -> list[ChangedFile]:
        """The changed files whose path `wanted` accepts, with their text at `head` and their patch."""
        head_commit = self.resolve(head)
        diff_range = self._range(base, head_commit)
        files = []
        for change in self.changed_paths(base, head_commit):
            if not wanted(change.path):
                continue
            text = self._blob(head_commit, change.path)
            if text is not None:
                files.append(ChangedFile(change.path, text, self._patch(diff_range, change)))
        return files

    def _blob(self, commit: str, path: str) -> str | None:
        listing = self._run("ls-tree", "-z", commit, "--", path)
        if not listing or listing.split("\t", 1)[0].split()[1] != "blob":
            return None
        return self._run("cat-file", "blob", f"{commit}:{path}")

    def _patch(self, diff_range: str, change: ChangedPath) -> str | None:
        paths = [change.old_path, change.path] if change.old_path else [change.path]
        output = self._run(
            "diff", "--no-color", "--no-ext-diff", "--no-textconv", "--unified=3", "-M", diff_range, "--", *paths
        )
        start = 0 if output.startswith("@@") else output.find("\n@@") + 1
        if start == 0 and not output.startswith("@@"):
            return None
        return output[start:].removesuffix("\n")

    def _range(self, base: str, head: str) -> str:
        return f"{self.resolve(base)}...{self.resolve(head)}"

    def _run(self, *args: str, what: str | None = None) -> str:
        command = [self.git, "-C", str(self.path), *args]
        try:
            done = subprocess.run(command, capture_output=True, timeout=self.timeout, check=False)
        except FileNotFoundError:
            raise GitError(f"git not found ({self.git}); install git to use codi review") from None
        except subprocess.TimeoutExpired:
            raise GitError(f"git {args[0]} took more than {self.timeout:.0f}s in {self.path}") from None
        if done.returncode != 0:
            reason = what or done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
            raise GitError(f"git {args[0]} failed in {self.path}: {reason}")
        return done.stdout.decode("utf-8", "surrogateescape")
