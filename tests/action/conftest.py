"""Fixtures for the Action: a pull request seeded on the local GitHub API, its workflow event and context."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.github_api.endpoints import BOT_LOGIN
from tests.github_api.fixtures import github_api, github_app  # noqa: F401  (fixtures)
from tests.github_api.server import FakeGitHub
from tests.github_api.state import PullRequestState
from tests.github_api.webhooks import webhook_payload

INSTALLATION = 31
OWNER, NAME = "octo", "shop"
WORKFLOW_TOKEN = "ghs_workflowtokenforthecodiactiontests"
"""What `${{ github.token }}` is: an installation token of GitHub Actions on the repository."""
BASE_DOCKERFILE = "FROM debian:12\n"
HEAD_DOCKERFILE = (
    "FROM debian:12\n"
    "RUN apt-get update && apt-get install -y curl\n"
    "RUN cd /tmp\n"
)
"""Changed lines with findings codi comments on, one with a safe fix GitHub shows as a suggestion (DL3009's)."""


@dataclass
class Workflow:
    """A workflow run's context for a pull request on the local server, as the runner gives it to a step."""

    server: FakeGitHub
    pull: PullRequestState
    workspace: Path
    event_path: Path
    output_path: Path
    temp: Path

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(self.event_path),
            "GITHUB_REPOSITORY": f"{OWNER}/{NAME}",
            "GITHUB_SHA": self.pull.head_sha,
            "GITHUB_BASE_REF": self.pull.base_ref,
            "GITHUB_HEAD_REF": self.pull.head_ref,
            "GITHUB_API_URL": self.server.url,
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_OUTPUT": str(self.output_path),
            "GITHUB_RUN_ID": "4242",
            "RUNNER_TEMP": str(self.temp),
            "GITHUB_TOKEN": WORKFLOW_TOKEN,
        }
        return env | overrides

    def outputs(self) -> dict[str, str]:
        """What the step wrote to GITHUB_OUTPUT (the last value of each name)."""
        lines = self.output_path.read_text().splitlines() if self.output_path.exists() else []
        return dict(line.split("=", 1) for line in lines if "=" in line)


def seed(server: FakeGitHub, head_dockerfile: str = HEAD_DOCKERFILE) -> PullRequestState:
    """octo/shop with pull request #5 changing its Dockerfile, and the workflow's token valid on it."""
    server.add_installation(INSTALLATION, OWNER)
    server.add_repo(OWNER, NAME, INSTALLATION)
    server.world.tokens[WORKFLOW_TOKEN] = (INSTALLATION, time.time() + 3600)
    return server.add_pull(OWNER, NAME, 5, {"Dockerfile": BASE_DOCKERFILE}, {"Dockerfile": head_dockerfile})


@pytest.fixture
def workflow(github_api: FakeGitHub, tmp_path: Path) -> Workflow:  # noqa: F811  (the fixture above)
    pull = seed(github_api)
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / "Dockerfile").write_text(HEAD_DOCKERFILE)
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(webhook_payload("pull_request", "opened", pull)))
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    return Workflow(github_api, pull, workspace, event_path, tmp_path / "github-output", temp)


__all__ = ["BOT_LOGIN", "Workflow", "github_api", "github_app", "seed", "workflow"]
