"""`/codi …` commands written in pull request comments, and codi's replies to them.

The command is the first line (outside code blocks) that starts with
`/codi`; quoted lines (`> /codi apply`) are not commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from codi.comments.markdown import code_span, mention


class CommandName(str, Enum):
    """The commands; values match `CommentCommandJob.command`."""

    RERUN = "rerun"
    HELP = "help"
    APPLY = "apply"
    BUILD = "build"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Command:
    name: CommandName
    line: str
    """The comment line the command was read from, as written."""

    @property
    def argument(self) -> str | None:
        """The word after the command, if any (`/codi build 1a2b3c4`: the commit the approver looked at)."""
        words = self.line.split()
        return words[2][:ARGUMENT_LIMIT] if len(words) > 2 else None


ARGUMENT_LIMIT = 64
"""A command's argument is cut to this: it travels in the job and may be quoted in the reply."""
_SHA = re.compile(r"[0-9a-f]{7,40}")


def parse_command(body: str) -> Command | None:
    """The command in a comment body, or None when the comment does not address codi.

    `/codi` alone asks for help; `/codi <anything else>` is an unknown command (answered with help).
    """
    in_fence = False
    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        words = line.split()
        if not words or words[0].lower() != "/codi":
            continue
        if len(words) == 1:
            return Command(CommandName.HELP, line)
        try:
            return Command(CommandName(words[1].lower()), line)
        except ValueError:
            return Command(CommandName.UNKNOWN, line)
    return None


HELP_TEXT = """\
codi reviews the Dockerfiles this pull request changes. Commands (people with write access):

- `/codi rerun`: review the head commit again
- `/codi apply`: commit every safe fix to this pull request's branch
- `/codi build [SHA]`: approve builds of the head commit, and only it (with a SHA, only if the head is still \
that commit), and build it: pull requests from forks or by people without write access wait for this
- `/codi help`: this message
"""


def help_text(command: Command | None = None) -> str:
    """The help reply; for an unknown command it says which line was not understood first."""
    if command is not None and command.name is CommandName.UNKNOWN:
        return f"I don't know the command {code_span(command.line)}.\n\n{HELP_TEXT}"
    return HELP_TEXT


def permission_refusal_text(user: str) -> str:
    return (
        f"Sorry {mention(user)}, only people with write access to this repository can run codi commands. "
        "A maintainer can run it for you.\n"
    )


def fork_refusal_text(user: str) -> str:
    return (
        f"Sorry {mention(user)}, I can't commit to this pull request's branch: it lives in a fork that does not allow "
        "edits from maintainers. Tick \"Allow edits by maintainers\" on the pull request and comment "
        "`/codi apply` again, or run `codi fix` on the branch yourself.\n"
    )


def build_approved_text(user: str, head_sha: str) -> str:
    """The reply to `/codi build`: which commit was approved (the head when the command ran), and its limit."""
    return (
        f"Builds of commit {code_span(head_sha)} approved by {mention(user)}; reviewing it with builds now. "
        "The approval covers this commit only: after a new push, comment `/codi build` again.\n"
    )


def approves_head(argument: str | None, head_sha: str) -> bool:
    """Whether `/codi build [SHA]` approves the head: with no SHA, yes; with one, only if the head is still that
    commit (not if the head moved after the approver looked, nor if the word is no SHA)."""
    if argument is None:
        return True
    return _SHA.fullmatch(argument.lower()) is not None and head_sha.startswith(argument.lower())


def build_refused_text(argument: str, head_sha: str) -> str:
    return (
        f"Nothing approved: the head of this pull request is {code_span(head_sha)}, not {code_span(argument)}. "
        "Look at the commits pushed since and comment `/codi build` (or `/codi build SHA`) again.\n"
    )


BUILDS_OFF_TEXT = (
    "Nothing to approve: builds are switched off for this codi (`CODI_BUILDS` is not `true`), "
    "so pull requests are linted and optimised, never built.\n"
)
