"""`codi review` on a real git repository: the diff between two refs stands for the pull request."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from codi.cli.main import main
from codi.rules import all_rules

# Only DL3000 (no fix) and DL3014 (safe fix), from the base's config, so rules added later change nothing.
BASE_CONFIG = "ignored:\n" + "".join(f"  - {r.code}\n" for r in all_rules() if r.code not in {"DL3000", "DL3014"})
SILENCE_ALL = "ignored: [DL3000, DL3014]\nfailure-threshold: none\nno-fail: true\n"
BASE_DOCKERFILE = "FROM debian:12\nWORKDIR app\n"
HEAD_DOCKERFILE = "FROM debian:12\nWORKDIR app\nRUN apt-get update && \\\n    apt-get install curl\n"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config from the working directory or home: only the repository's base ref counts."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", "-C", str(repo), *identity, *args], check=True, capture_output=True, text=True).stdout


def commit(repo: Path, files: dict[str, str | None], message: str) -> None:
    """Write (or delete, for None) the files and commit them."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """`main` holds the base; `pr` (checked out) the head."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q")
    git(path, "checkout", "-q", "-b", "main")
    commit(path, {".hadolint.yaml": BASE_CONFIG, "Dockerfile": BASE_DOCKERFILE, "app.py": "print(1)\n"}, "base")
    git(path, "checkout", "-q", "-b", "pr")
    return path


def review(repo: Path, *args: str) -> int:
    return main(["review", str(repo), "--base", "main", "--no-shellcheck", *args])


def test_json_has_check_run_review_comments_and_summary(repo, capsys):
    commit(repo, {"Dockerfile": HEAD_DOCKERFILE}, "install curl")
    assert review(repo, "--format", "json") == 1
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"check_run", "review_comments", "summary"}
    check_run = out["check_run"]
    assert (check_run["name"], check_run["conclusion"]) == ("codi", "failure")
    assert check_run["title"] == "2 findings in 1 Dockerfile: 1 error, 1 warning"
    assert [(a["title"], a["start_line"], a["end_line"]) for a in check_run["annotations"]] == [
        ("DL3000 (error)", 2, 2),
        ("DL3014 (warning)", 3, 4),
    ]
    [comment] = out["review_comments"]  # WORKDIR app is an unchanged line: annotated, not commented
    assert {k: comment[k] for k in ("path", "start_line", "line", "side")} == {
        "path": "Dockerfile", "start_line": 3, "line": 4, "side": "RIGHT",
    }  # fmt: skip
    assert "```suggestion\nRUN apt-get update && \\\n    apt-get install -y curl\n```" in comment["body"]
    head_sha = git(repo, "rev-parse", "HEAD").strip()
    assert out["summary"].startswith("<!-- codi:summary -->") and f"`{head_sha[:7]}`" in out["summary"]


def test_markdown_shows_the_three_outputs(repo, capsys):
    commit(repo, {"Dockerfile": HEAD_DOCKERFILE}, "install curl")
    assert review(repo) == 1
    out = capsys.readouterr().out
    assert out.startswith("# Check run `codi`: failure\n\n**2 findings in 1 Dockerfile: 1 error, 1 warning**\n")
    assert "## Annotations (2)\n" in out
    assert "- **failure** `Dockerfile` line 2, DL3000 (error): Use absolute WORKDIR\n" in out
    assert "# Review comments (1)\n\n## `Dockerfile` lines 3-4\n\n**Warning** [DL3014]" in out
    assert "# Summary comment\n\n<!-- codi:summary -->" in out


def test_the_head_cannot_switch_its_own_checks_off(repo, capsys):
    commit(repo, {"Dockerfile": HEAD_DOCKERFILE, ".hadolint.yaml": SILENCE_ALL, ".codi.yml": SILENCE_ALL}, "quiet")
    assert review(repo, "--format", "json") == 1
    out = json.loads(capsys.readouterr().out)
    assert [a["title"] for a in out["check_run"]["annotations"]] == ["DL3000 (error)", "DL3014 (warning)"]


def test_the_base_config_decides_the_exit_status(repo, capsys):
    git(repo, "checkout", "-q", "main")
    fail_on_errors_only = BASE_CONFIG + "failure-threshold: error\n"
    commit(repo, {".hadolint.yaml": fail_on_errors_only, "Dockerfile": "FROM debian:12\n"}, "base")
    git(repo, "checkout", "-q", "-b", "pr2")
    commit(repo, {"Dockerfile": HEAD_DOCKERFILE.replace("WORKDIR app", "WORKDIR /app")}, "install curl")
    assert review(repo, "--head", "pr2", "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["check_run"]["conclusion"] == "success"
    assert [a["title"] for a in out["check_run"]["annotations"]] == ["DL3014 (warning)"]


def test_renamed_and_deleted_dockerfiles(repo, capsys):
    commit(repo, {"docker/api.Dockerfile": BASE_DOCKERFILE, "Dockerfile": None}, "move")
    git(repo, "branch", "-f", "main")
    commit(repo, {"docker/api.Dockerfile": None, "docker/web.Dockerfile": BASE_DOCKERFILE + "USER 1000\n"}, "rename")
    assert review(repo, "--format", "json") == 1
    out = json.loads(capsys.readouterr().out)
    assert [a["path"] for a in out["check_run"]["annotations"]] == ["docker/web.Dockerfile"]
    assert out["review_comments"] == []  # only USER 1000 changed, and it has no finding


def test_no_dockerfile_changed_is_neutral(repo, capsys):
    commit(repo, {"app.py": "print(2)\n"}, "app only")
    assert review(repo, "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["check_run"]["conclusion"], out["check_run"]["title"]) == ("neutral", "No Dockerfile changed")
    assert out["review_comments"] == [] and out["check_run"]["annotations"] == []


def test_bad_refs_and_paths_are_clear_errors(repo, tmp_path, capsys):
    assert review(repo, "--head", "no-such-branch") == 2
    assert "codi: git rev-parse failed in" in capsys.readouterr().err
    assert main(["review", str(tmp_path / "missing"), "--base", "main"]) == 2
    assert "no such directory" in capsys.readouterr().err
    (tmp_path / "plain").mkdir()
    assert main(["review", str(tmp_path / "plain"), "--base", "main"]) == 2
    assert "not a git repository" in capsys.readouterr().err.lower()


def test_a_broken_base_config_names_the_file_and_ref(repo, capsys):
    git(repo, "checkout", "-q", "main")
    commit(repo, {".hadolint.yaml": "ignored: DL3000\n"}, "broken config")
    git(repo, "checkout", "-q", "pr")
    assert review(repo) == 2
    assert capsys.readouterr().err == "codi: .hadolint.yaml at main:1: ignored: expected a list of rule codes\n"


def test_the_bundled_pr_demo_gets_suggestions_despite_its_silencing_config(tmp_path, capsys):
    """examples/pr-demo as scripts/demo-review builds it: base, then head/ laid over it."""
    import shutil

    demo = Path(__file__).resolve().parents[1] / "examples" / "pr-demo"
    path = tmp_path / "demo"
    shutil.copytree(demo / "base", path)
    git(path, "init", "-q")
    commit(path, {}, "base")
    shutil.copytree(demo / "head", path, dirs_exist_ok=True)
    commit(path, {}, "head")
    assert main(["review", str(path), "--base", "HEAD~1", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    codes = {a["title"].split()[0] for a in out["check_run"]["annotations"]}
    assert {"DL3009", "DL3014", "DL3015", "DL3042", "DL3025"} <= codes  # all ignored by the head's config
    suggestions = [c for c in out["review_comments"] if "```suggestion" in c["body"]]
    assert len(suggestions) >= 4
    # DL3015's fix is unsafe (a later step may need a recommended package): reported, never suggested.
    assert not any("DL3015" in c["body"] for c in suggestions)


def test_run_from_a_subdirectory_reviews_the_whole_repository(repo, capsys, monkeypatch):
    """Paths git reports are from the root: a review started inside `docker/` still finds every change."""
    commit(repo, {"docker/api.Dockerfile": HEAD_DOCKERFILE, "Dockerfile": HEAD_DOCKERFILE}, "two Dockerfiles")
    monkeypatch.chdir(repo / "docker")
    assert main(["review", ".", "--base", "main", "--no-shellcheck", "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert {a["path"] for a in out["check_run"]["annotations"]} == {"Dockerfile", "docker/api.Dockerfile"}
    assert {c["path"] for c in out["review_comments"]} == {"Dockerfile", "docker/api.Dockerfile"}
