"""`codi optimize`: candidates written to --out, printed as a diff, JSON or the summary's Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

import pytest

from codi.cli.main import MAX_CONTEXT_FILE_BYTES, context_texts, main
from codi.cli.measure import NETWORKS
from codi.worker.build import BuildNetwork

DOCKERFILE = """\
FROM python:3.11
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
EXPOSE 8000
CMD python app.py
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "requirements.txt").write_text("flask==3.0.0\n")
    (tmp_path / "app.py").write_text("print('hi')\n")
    return tmp_path


def test_out_gets_each_candidate_and_the_rationale(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = project / "out"
    args = ["optimize", str(project / "Dockerfile"), "--context", str(project), "--out", str(out), "--format", "json"]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    strategies = [candidate["strategy"] for candidate in result["candidates"]]
    assert strategies[0] == "fixes"
    assert sorted(path.name for path in out.iterdir()) == sorted(
        ["rationale.md", *(f"Dockerfile.{strategy}" for strategy in strategies)]
    )
    fixes = (out / "Dockerfile.fixes").read_text()
    assert fixes == result["candidates"][0]["dockerfile"] and 'CMD ["python", "app.py"]' in fixes
    rationale = (out / "rationale.md").read_text()
    assert "## `Dockerfile.fixes`" in rationale and "(estimate)" in rationale
    for candidate in result["candidates"]:
        assert candidate["estimate"]["label"] == "estimate" and len(candidate["identity"]) == 16
    assert result["stack"]["stack"] == "python"


def test_tty_shows_a_unified_diff_per_candidate(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["optimize", str(project / "Dockerfile")]) == 0
    out = capsys.readouterr().out
    assert "fixes candidate" in out and "-CMD python app.py" in out and '+CMD ["python", "app.py"]' in out
    assert "(estimate)" in out


def test_md_is_the_summary_comment_section(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["optimize", str(project / "Dockerfile"), "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\n### Optimisation candidates\n")
    assert "<details>\n<summary><code>" in out and "```diff\n" in out


def test_no_candidate_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text('FROM python:3.11\nCMD ["python", app.py]\n')
    assert main(["optimize", str(tmp_path / "Dockerfile"), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["candidates"] == [] and "does not parse" in result["no_candidate_reason"]


def test_an_unreadable_dockerfile_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["optimize", str(tmp_path / "missing")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_context_is_bounded_small_text_files(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text("#!/bin/sh\nexec app\n")
    (tmp_path / "big.lock").write_text("x" * (MAX_CONTEXT_FILE_BYTES + 1))
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\xff\xfe")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "index.js").write_text("")
    assert context_texts(tmp_path) == {"big.lock": "", "logo.png": "", "run.sh": "#!/bin/sh\nexec app\n"}


def test_codi_review_shows_the_candidates_in_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_review_cli import commit, git

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "checkout", "-q", "-b", "main")
    commit(repo, {"README.md": "demo\n"}, "base")
    git(repo, "checkout", "-q", "-b", "pr")
    commit(repo, {"Dockerfile": DOCKERFILE}, "add a Dockerfile")
    assert main(["review", str(repo), "--base", "main", "--no-shellcheck", "--format", "json"]) in (0, 1)
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert "### Optimisation candidates\n\n- `Dockerfile` (python): fixes" in summary
    assert "<details>\n<summary><code>Dockerfile</code>: fixes candidate, size ≈ " in summary


def test_network_is_an_option_of_the_commands_that_build(capsys: pytest.CaptureFixture[str]) -> None:
    assert NETWORKS == get_args(BuildNetwork)
    for command in (["optimize", "Dockerfile"], ["llm", "rank", "Dockerfile"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        help_text = " ".join(capsys.readouterr().out.split())
        assert "--network {codi,none,host} with --build: the network builds and port smoke tests run on" in help_text
        assert "Default: CODI_BUILD_NETWORK, else codi" in help_text
        with pytest.raises(SystemExit) as exited:
            main([*command, "--build", "--network", "bridge"])
        assert exited.value.code == 2
        assert "argument --network: invalid choice: 'bridge'" in capsys.readouterr().err


def fixes_changes(text: str) -> list[str]:
    from codi.pipeline.optimize.optimizer import optimize

    [fixes] = [candidate for candidate in optimize("Dockerfile", text).candidates if candidate.strategy == "fixes"]
    return [change.kind for change in fixes.changes]


def test_the_fixes_rationale_lists_every_rule_its_diff_applies() -> None:
    """DL3025 is listed though another DL3025 finding (a shell-form HEALTHCHECK) has no fix; DL4006 when its
    SHELL is safe; an unsafe one (before a shell-form CMD) is neither applied nor listed."""
    demo = (Path(__file__).resolve().parents[1] / "examples" / "pr-demo" / "head" / "Dockerfile").read_text()
    assert "fix:DL3025" in fixes_changes(demo)
    piped = "FROM debian:12\nRUN curl -fsSL https://example.com/app.tgz | tar -xz\n"
    assert "fix:DL4006" in fixes_changes(piped + 'CMD ["app"]\n')
    assert fixes_changes(piped + "CMD app --serve\n") == ["fix:DL3025"]


def test_build_with_no_engine_at_docker_host_is_a_clear_error_and_the_cli_shares_the_apps_database(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dead socket: codi's message and exit 2, no traceback. The evidence database it opened first is the one
    the App's workers open by default (settings.default_database_url): one default for both."""
    from codi.settings import Settings, default_database_url

    socket = tmp_path / "dead.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{socket}")
    monkeypatch.setenv("CODI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CODI_DATABASE_URL", raising=False)
    assert main(["optimize", str(project / "Dockerfile"), "--build"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"codi: no Docker engine answers at DOCKER_HOST=unix://{socket} (")
    assert "scripts/engine" in err and "Traceback" not in err
    assert (tmp_path / "data" / "evidence.db").is_file()
    settings = Settings(github_app_id=1, github_private_key_path=project / "app.py", webhook_secret="s")
    assert settings.database_url == default_database_url(tmp_path / "data") == f"sqlite:///{tmp_path}/data/evidence.db"


def test_the_context_defaults_to_the_dockerfiles_folder(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """As for --build and `codi llm`: requirements.txt beside the Dockerfile is read, so a multi-stage candidate
    is made without --context."""
    assert main(["optimize", str(project / "Dockerfile"), "-f", "json"]) == 0
    strategies = [candidate["strategy"] for candidate in json.loads(capsys.readouterr().out)["candidates"]]
    assert "multi-stage" in strategies
