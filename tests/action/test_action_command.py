"""`codi action` against the local GitHub API server with a real pull_request event: what it posts, twice.

The workflow token is an installation token the server knows (GitHub Actions' own installation); the comments
it posts are by the server's bot login, passed as --comment-author as a workflow with an App token would.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from codi.cli.action import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_GITHUB_FAILED
from codi.cli.main import main
from codi.comments.summary import is_summary_comment
from tests.action.conftest import BOT_LOGIN, NAME, OWNER, Workflow
from tests.github_api.webhooks import examples_by_event


def run_action(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *options: str) -> int:
    for name in [name for name in os.environ if name.startswith(("GITHUB_", "RUNNER_"))]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return main(["action", "--comment-author", BOT_LOGIN, "--no-shellcheck", *options])


def test_pull_request_gets_review_comments_check_run_and_one_summary_and_a_second_run_adds_nothing(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = workflow.server
    assert run_action(monkeypatch, workflow.env()) == EXIT_FINDINGS
    comments = server.review_comments(OWNER, NAME, 5)
    assert comments and all(c.author == BOT_LOGIN and c.path == "Dockerfile" for c in comments)
    assert any("```suggestion" in c.body for c in comments), [c.body for c in comments]
    assert {c.line for c in comments} <= {2, 3}
    [summary] = server.issue_comments(OWNER, NAME, 5)
    assert is_summary_comment(summary.body) and "Optimisation candidates" in summary.body
    [run] = server.check_runs(OWNER, NAME)
    assert (run.name, run.head_sha) == ("codi", workflow.pull.head_sha)
    assert (run.status, run.conclusion) == ("completed", "failure")
    assert {a.path for a in run.annotations} == {"Dockerfile"} and len(run.annotations) >= len(comments)
    outputs = workflow.outputs()
    assert outputs["exit-code"] == str(EXIT_FINDINGS) and int(outputs["findings"]) == len(run.annotations)
    sarif = json.loads(Path(outputs["sarif-file"]).read_text())
    assert len(sarif["runs"][0]["results"]) == len(run.annotations)
    first_bodies = sorted(c.body for c in comments)

    workflow.output_path.unlink()
    assert run_action(monkeypatch, workflow.env()) == EXIT_FINDINGS  # the same commit again (a re-run)
    assert sorted(c.body for c in server.review_comments(OWNER, NAME, 5)) == first_bodies
    assert len(server.reviews(OWNER, NAME, 5)) == 1
    [again] = server.issue_comments(OWNER, NAME, 5)
    assert again.id == summary.id
    assert len(server.check_runs(OWNER, NAME)) == 2  # each workflow run reports its own check run
    assert server.violations == []


def test_a_push_to_the_pull_request_edits_the_summary_and_comments_only_new_findings(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = workflow.server
    assert run_action(monkeypatch, workflow.env()) == EXIT_FINDINGS
    before = {c.id for c in server.review_comments(OWNER, NAME, 5)}
    head = server.push(OWNER, NAME, 5, {"Dockerfile": "FROM debian:12\nRUN cd /tmp\nMAINTAINER someone\n"})
    event = json.loads(workflow.event_path.read_text())
    event["action"], event["pull_request"]["head"]["sha"] = "synchronize", head
    workflow.event_path.write_text(json.dumps(event))
    assert run_action(monkeypatch, workflow.env(GITHUB_SHA=head)) == EXIT_FINDINGS
    after = server.review_comments(OWNER, NAME, 5)
    assert any(c.id not in before and "DL4000" in c.body for c in after)  # MAINTAINER is new
    assert len([c for c in after if "DL3003" in c.body]) == 1  # `cd` was commented once, and kept
    [summary] = server.issue_comments(OWNER, NAME, 5)
    assert head[:7] in summary.body
    assert server.violations == []


def test_reporter_pr_check_posts_only_the_check_run_and_sarif_posts_nothing(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = workflow.server
    assert run_action(monkeypatch, workflow.env(), "--reporter", "github-pr-check") == EXIT_FINDINGS
    assert len(server.check_runs(OWNER, NAME)) == 1
    assert server.review_comments(OWNER, NAME) == [] and server.issue_comments(OWNER, NAME) == []
    requests = len(server.requests)
    sarif = ("--reporter", "sarif", "--sarif-file", str(workflow.temp / "x.sarif"))
    assert run_action(monkeypatch, workflow.env(), *sarif) == EXIT_FINDINGS
    assert {r.method for r in server.requests[requests:]} == {"GET"}  # the diff read, nothing posted
    assert json.loads((workflow.temp / "x.sarif").read_text())["runs"][0]["results"]


def test_filter_mode_added_reports_only_findings_on_added_lines(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base's `FROM debian:12` line is unchanged: its findings (if any) go in `file` mode, not in `added`."""
    assert run_action(monkeypatch, workflow.env(), "--reporter", "github-pr-check", "--filter-mode", "added") == 1
    [run] = workflow.server.check_runs(OWNER, NAME)
    assert run.annotations and all(a.start_line in (2, 3) for a in run.annotations)
    assert run_action(monkeypatch, workflow.env(), "--reporter", "sarif", "--failure-threshold", "error",
                      "--ignore", "DL3003,DL3008", "--override-error", "DL3015") == 1  # only DL3015, as an error


def test_push_event_posts_annotations_only_on_the_commit(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> None:
    server = workflow.server
    workflow.event_path.write_text(json.dumps(examples_by_event()["push"][0]))
    env = workflow.env(GITHUB_EVENT_NAME="push", GITHUB_SHA=workflow.pull.head_sha)
    assert run_action(monkeypatch, env, "--no-fail", "true") == 0
    [run] = server.check_runs(OWNER, NAME)
    assert run.head_sha == workflow.pull.head_sha and run.conclusion == "success" and run.annotations
    assert server.review_comments(OWNER, NAME) == [] and server.issue_comments(OWNER, NAME) == []
    assert workflow.outputs()["exit-code"] == "0"
    assert server.violations == []


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"GITHUB_EVENT_PATH": ""}, "GITHUB_EVENT_PATH is not set"),
        ({"GITHUB_EVENT_PATH": "/nonexistent/event.json"}, "cannot read the event file /nonexistent/event.json"),
        ({"GITHUB_REPOSITORY": "just-a-name"}, "GITHUB_REPOSITORY must be owner/name"),
        ({"GITHUB_WORKSPACE": "/nonexistent/workspace"}, "GITHUB_WORKSPACE /nonexistent/workspace is not a directory"),
        ({"GITHUB_TOKEN": ""}, "reading the pull request's diff needs a token: set GITHUB_TOKEN"),
    ],
)
def test_unusable_context_exits_2_and_posts_nothing(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], change: dict, said: str
) -> None:
    assert run_action(monkeypatch, workflow.env(**change)) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert workflow.server.requests == [] and not workflow.output_path.exists()


@pytest.mark.parametrize(
    ("payload", "said"),
    [
        ("{not json", "is not JSON"),
        ("[1, 2]", "holds list, not an object"),
        ('{"action": "opened", "number": 5}', "the pull_request event payload has no pull_request object"),
        (
            '{"pull_request": {"number": 5, "head": {"sha": "abc"}}}',
            "pull_request is not GitHub's: head.ref is required; head.sha String should match",
        ),
        ('{"pull_request": {"number": "5"}}', "number Input should be a valid integer"),
        (b"\xff\xfe", "is not UTF-8 text"),
    ],
)
def test_malformed_event_file_exits_2(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], payload: str | bytes,
    said: str,
) -> None:
    if isinstance(payload, bytes):
        workflow.event_path.write_bytes(payload)
    else:
        workflow.event_path.write_text(payload)
    assert run_action(monkeypatch, workflow.env()) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert workflow.server.requests == []


def test_a_bad_config_exits_2(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (workflow.workspace / ".hadolint.yaml").write_text("ignored: [DL3008\n")
    assert run_action(monkeypatch, workflow.env()) == EXIT_BAD_INPUT
    assert ".hadolint.yaml" in capsys.readouterr().err and workflow.server.requests == []


def test_github_refusing_exits_3_with_sarif_and_outputs_written(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fork's read-only token: GitHub answers 403 to the check run; the SARIF file and outputs still come."""
    workflow.server.inject("POST", r"/check-runs$", 403, {"message": "Resource not accessible by integration"})
    assert run_action(monkeypatch, workflow.env()) == EXIT_GITHUB_FAILED
    err = capsys.readouterr().err
    assert "Resource not accessible by integration" in err and "permissions:" in err and "Traceback" not in err
    outputs = workflow.outputs()
    assert outputs["exit-code"] == str(EXIT_GITHUB_FAILED) and Path(outputs["sarif-file"]).is_file()


def test_a_token_github_does_not_know_exits_3(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_action(monkeypatch, workflow.env(GITHUB_TOKEN="ghs_revoked")) == EXIT_GITHUB_FAILED
    err = capsys.readouterr().err
    assert "cannot read pull request #5" in err and "Bad credentials" in err and "Traceback" not in err
    assert workflow.outputs()["exit-code"] == str(EXIT_GITHUB_FAILED)


def test_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["action", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for code in ("0 no reported finding", "1 a finding at or above it", "2 unusable context", "3 GitHub refused"):
        assert code in out


def sarif_paths(path: Path) -> list[str]:
    results = json.loads(path.read_text())["runs"][0]["results"]
    return sorted({r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results})


@pytest.mark.parametrize(
    ("options", "linted"),
    [
        ((), ["Dockerfile", "services/api/Dockerfile", "services/web.Dockerfile"]),
        (("--dockerfile", "Dockerfile"), ["Dockerfile"]),
        (("--dockerfile", "Dockerfile", "--recursive", "true"), ["Dockerfile", "services/api/Dockerfile"]),
        (("--dockerfile", "services/*.Dockerfile, Dockerfile"), ["Dockerfile", "services/web.Dockerfile"]),
    ],
)
def test_a_push_lints_the_workspace_dockerfiles_the_globs_name(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...], linted: list[str]
) -> None:
    for path in ("services/api/Dockerfile", "services/web.Dockerfile"):
        (workflow.workspace / path).parent.mkdir(parents=True, exist_ok=True)
        (workflow.workspace / path).write_text("FROM debian:12\nMAINTAINER someone\n")
    workflow.event_path.write_text(json.dumps(examples_by_event()["push"][0]))
    env = workflow.env(GITHUB_EVENT_NAME="push", GITHUB_TOKEN="")
    assert run_action(monkeypatch, env, "--reporter", "sarif", *options) == EXIT_FINDINGS
    assert sarif_paths(Path(workflow.outputs()["sarif-file"])) == linted
    assert workflow.server.requests == []  # --reporter sarif on a push asks nothing of GitHub


def test_nofilter_adds_the_workspace_dockerfiles_the_pull_request_leaves_alone(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workflow.workspace / "tools").mkdir()
    (workflow.workspace / "tools" / "Dockerfile").write_text("FROM debian:12\nMAINTAINER someone\n")
    assert run_action(monkeypatch, workflow.env(), "--reporter", "sarif") == EXIT_FINDINGS
    assert sarif_paths(Path(workflow.outputs()["sarif-file"])) == ["Dockerfile"]
    workflow.output_path.unlink()
    assert run_action(monkeypatch, workflow.env(), "--reporter", "sarif", "--filter-mode", "nofilter") == EXIT_FINDINGS
    assert sarif_paths(Path(workflow.outputs()["sarif-file"])) == ["Dockerfile", "tools/Dockerfile"]


def test_the_format_report_goes_to_the_output_file(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> None:
    report = workflow.temp / "codi.json"
    options = ("--reporter", "sarif", "--format", "json", "--output-file", str(report))
    assert run_action(monkeypatch, workflow.env(), *options) == EXIT_FINDINGS
    codes = {finding["code"] for finding in json.loads(report.read_text())}
    assert {"DL3009", "DL3003"} <= codes


def test_build_without_an_engine_says_so_in_the_summary(workflow: Workflow, monkeypatch: pytest.MonkeyPatch) -> None:
    """`build: true` on a runner without Docker: the review still posts, and the summary says why nothing was built."""
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    assert run_action(monkeypatch, workflow.env(), "--build", "true") == EXIT_FINDINGS
    [summary] = workflow.server.issue_comments(OWNER, NAME, 5)
    assert "Nothing more was built\\: DOCKER\\_HOST is not set" in summary.body  # escaped Markdown


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (("--config", "missing.yml"), "--config missing.yml: no such file in the workspace"),
        (("--output-file", "/nonexistent/report.txt"), "cannot write the --output-file /nonexistent/report.txt"),
        (("--sarif-file", "/proc/codi.sarif"), "cannot write the SARIF file /proc/codi.sarif"),
    ],
)
def test_a_path_that_cannot_be_used_exits_2_before_anything_is_posted(
    workflow: Workflow, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], options: tuple, said: str
) -> None:
    assert run_action(monkeypatch, workflow.env(), *options) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert {r.method for r in workflow.server.requests} <= {"GET"}  # at most the diff was read
    assert workflow.server.check_runs(OWNER, NAME) == [] and workflow.server.issue_comments(OWNER, NAME) == []
