"""`/codi …` commands: the first line that starts with `/codi`, outside code and quotes."""

from __future__ import annotations

import pytest

from codi.comments.commands import (
    Command,
    CommandName,
    fork_refusal_text,
    help_text,
    parse_command,
    permission_refusal_text,
)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/codi rerun", CommandName.RERUN),
        ("  /codi apply  \nthanks", CommandName.APPLY),
        ("/CODI Help", CommandName.HELP),
        ("/codi", CommandName.HELP),
        ("/codi deploy now", CommandName.UNKNOWN),
        ("Looks good.\n\n/codi rerun please\n/codi apply", CommandName.RERUN),
        ("```\n/codi apply\n```\n/codi help", CommandName.HELP),
    ],
)
def test_the_first_command_line_wins(body, expected):
    command = parse_command(body)
    assert command is not None and command.name is expected


@pytest.mark.parametrize(
    "body",
    [
        "",
        "LGTM",
        "> /codi apply\nquoted",
        "please run /codi rerun",
        "/codifix",
        "```\n/codi apply\n```",
        "`/codi apply`",
    ],
)
def test_comments_that_do_not_address_codi(body):
    assert parse_command(body) is None


def test_command_names_match_the_job_payload():
    from typing import get_args

    from codi.webhooks.jobs import CommentCommandJob

    allowed = get_args(CommentCommandJob.model_fields["command"].annotation)
    assert sorted(name.value for name in CommandName) == sorted(allowed)


def test_replies():
    assert "`/codi rerun`" in help_text() and "`/codi apply`" in help_text() and "`/codi help`" in help_text()
    unknown = help_text(Command(CommandName.UNKNOWN, "/codi `deploy`"))
    assert unknown.startswith("I don't know the command `` /codi `deploy` ``.") and unknown.endswith(help_text())
    assert permission_refusal_text("octocat").startswith("Sorry @octocat, only people with write access")
    assert "Allow edits by maintainers" in fork_refusal_text("octocat")
