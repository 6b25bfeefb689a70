"""`/codi …` commands written in pull request comments, and codi's replies to them.

The command is the first line (outside code blocks) that starts with
`/codi`; quoted lines (`> /codi apply`) are not commands.
"""

from __future__ import annotations

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
- `/codi build`: build and measure the candidates of the head commit (approves that commit only: \
a pull request from a fork or by someone without write access is built only when approved)
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


BUILDS_OFF_TEXT = (
    "Nothing to approve: builds are switched off for this codi (`CODI_BUILDS` is not `true`), "
    "so pull requests are linted and optimised, never built.\n"
)
