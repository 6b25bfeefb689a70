"""The read-only API (codi/app/api.py) on `codi serve`'s app with seeded runs, on SQLite and PostgreSQL: filters,
pages and totals, one run, its report, per-stack aggregates (fixes applied via /codi apply included), OpenAPI;
no token configured: 404; a missing or wrong token: 401; bad parameters: 422 naming them; an unusable database:
503 naming CODI_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from codi.settings import SettingsError, load_settings
from tests.app.conftest import make_settings
from tests.app.seeded_runs import BEARER, TOKEN, api_client, apply_runs, seed
from tests.infra.test_secret_files import environment  # noqa: F401 (the fixture)
from tests.storage.conftest import database_url, postgres_session_prefix, postgres_url  # noqa: F401 (fixtures)

PATHS = ["/api/runs", "/api/runs/1", "/api/runs/1/report", "/runs/1/report", "/api/aggregates", "/api/openapi.json"]


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One seeded database for the module's read-only requests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'runs.db'}"
    seed(url)
    return url


def ids(answer: dict) -> list[int]:
    return [run["id"] for run in answer["runs"]]


def test_runs_are_filtered_and_paged_with_totals(key_path: Path, database_url: str) -> None:  # noqa: F811
    assert seed(database_url) == [1, 2, 3, 4, 5, 6]
    with api_client(key_path, database_url) as client:

        def runs(**params: object) -> dict:
            answer = client.get("/api/runs", params=params, headers=BEARER)
            assert answer.status_code == 200, answer.text
            return answer.json()

        every = runs()
        assert (ids(every), every["total"], every["offset"], every["limit"]) == ([6, 5, 4, 3, 2, 1], 6, 0, 50)
        assert every["runs"][0]["repository"] == "octo/app<script>alert(1)</script>"  # data, as stored
        assert every["runs"][1] | {"started_at": None} == {
            "id": 5, "kind": "optimize", "outcome": "candidates", "started_at": None,
            "finished_at": "2026-11-29T12:00:03Z", "repository": None, "pull_number": None, "head_sha": None,
            "local_path": "/srv/app/Dockerfile", "stacks": ["python"], "files": 1,
            "findings": every["runs"][1]["findings"], "candidates": every["runs"][1]["candidates"],
        }  # fmt: skip
        assert ids(runs(repository="OCTO/api")) == [2, 1]  # GitHub's names are case-insensitive
        assert ids(runs(stack="node")) == [6, 4, 3]
        assert ids(runs(outcome="failure")) == [4, 1]
        assert ids(runs(kind="optimize")) == [5]
        # run 2 started at 2026-11-11 12:00 and run 4 at 2026-11-26 12:00: since is at or after, until before
        assert ids(runs(since="2026-11-11T12:00:00Z", until="2026-11-26T12:00:00")) == [3, 2]
        assert ids(runs(since="2026-11-26")) == [6, 5, 4]  # a date without a zone is UTC's midnight
        assert ids(runs(stack="node", outcome="success")) == [6, 3]
        page = runs(offset=2, limit=2)
        assert (ids(page), page["total"], page["offset"], page["limit"]) == ([4, 3], 6, 2, 2)
        assert (ids(runs(offset=6)), runs(offset=6)["total"]) == ([], 6)
        assert runs(repository="nobody/nothing") == {"runs": [], "total": 0, "offset": 0, "limit": 50}


@pytest.mark.parametrize(
    ("params", "named"),
    [({"limit": 201}, "limit"), ({"limit": 0}, "limit"), ({"offset": -1}, "offset"), ({"since": "yesterday"}, "since"),
     ({"kind": "build"}, "kind")],  # fmt: skip
)
def test_bad_parameters_are_422_naming_them(key_path: Path, sqlite_url: str, params: dict, named: str) -> None:
    with api_client(key_path, sqlite_url) as client:
        answer = client.get("/api/runs", params=params, headers=BEARER)
    assert answer.status_code == 422
    assert [error["loc"] for error in answer.json()["detail"]] == [["query", named]]


def test_one_run_whole_and_an_unknown_one_is_404(key_path: Path, sqlite_url: str) -> None:
    with api_client(key_path, sqlite_url) as client:
        run = client.get("/api/runs/6", headers=BEARER).json()
        assert (run["id"], run["pull_number"], [file["stack"] for file in run["files"]]) == (6, 7, ["python", "node"])
        assert run["files"][0]["text"].startswith("# <script>alert(1)</script>")
        assert [m["strategy"] for m in run["files"][0]["measurements"]] == ["original", "fixes", "multi-stage"]
        assert run["environment"]["network"] == "models.internal"
        assert client.get("/api/runs/99", headers=BEARER).json() == {"detail": "no run 99"}
        assert client.get("/api/runs/99", headers=BEARER).status_code == 404
        assert client.get("/api/runs/seven", headers=BEARER).status_code == 422


def test_the_report_in_both_formats_and_at_the_summary_comments_link(key_path: Path, sqlite_url: str) -> None:
    with api_client(key_path, sqlite_url) as client:
        markdown = client.get("/api/runs/6/report", params={"format": "md"}, headers=BEARER)
        html = client.get("/api/runs/6/report", headers=BEARER)
        linked = client.get("/runs/6/report", headers=BEARER)
        assert client.get("/runs/99/report", headers=BEARER).status_code == 404
        assert client.get("/runs/6/report", params={"format": "pdf"}, headers=BEARER).status_code == 422
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert markdown.text.startswith("# codi report: run 6\n")
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.text.startswith("<!DOCTYPE html>") and "<h1>codi report: run 6</h1>" in html.text
    assert "default-src 'none'" in html.headers["content-security-policy"]
    assert linked.text == html.text


def test_aggregates_per_stack(key_path: Path, sqlite_url: str) -> None:
    with api_client(key_path, sqlite_url) as client:
        answer = client.get("/api/aggregates", headers=BEARER).json()
        narrowed = client.get("/api/aggregates", params={"repository": "octo/web"}, headers=BEARER).json()
    python, node = sorted(answer["stacks"], key=lambda stack: stack["stack"], reverse=True)
    # python: passing reductions 0.3, 0.6 (run 1), 0.5 (run 2; one failed), 0.1 and 0.75 (run 6): median 0.5
    assert (python["runs"], python["files"], python["median_size_reduction"]) == (4, 4, 0.5)
    assert (python["candidates_measured"], python["candidates_passed"], python["candidate_pass_rate"]) == (6, 5, 5 / 6)
    assert python["findings_by_rule"]["CD1010"] == 1 and sum(python["findings_by_rule"].values()) > 4
    assert (node["runs"], node["median_size_reduction"], node["candidate_pass_rate"]) == (3, 0.2, 1.0)
    assert [(s["stack"], s["runs"], s["median_size_reduction"]) for s in narrowed["stacks"]] == [("node", 2, 0.2)]
    assert set(answer) == {"stacks"} and python["fixes_applied_by_rule"] == node["fixes_applied_by_rule"] == {}


def test_aggregates_count_the_fixes_applied_via_codi_apply(key_path: Path, database_url: str) -> None:  # noqa: F811
    applies = apply_runs()
    seed(database_url, applies)
    with api_client(key_path, database_url) as client:
        answer = client.get("/api/aggregates", headers=BEARER).json()
        narrowed = client.get("/api/aggregates", params={"repository": "octo/web"}, headers=BEARER).json()
        listed = client.get("/api/runs", params={"kind": "apply"}, headers=BEARER).json()
        one = client.get("/api/runs/7", headers=BEARER).json()
    assert ids(listed) == [9, 8, 7] and (one["kind"], one["outcome"], one["commit_sha"]) == ("apply", "applied", "c" * 40)
    python, node = sorted(answer["stacks"], key=lambda stack: stack["stack"], reverse=True)
    counted: dict[str, dict[str, int]] = {}
    for run in applies:
        for file in run.files:
            for finding in file.findings:
                per_rule = counted.setdefault(file.stack or "unknown", {})
                per_rule[finding.code] = per_rule.get(finding.code, 0) + 1
    assert python["fixes_applied_by_rule"] == counted["python"] and python["fixes_applied_by_rule"]["DL3025"] == 2
    assert node["fixes_applied_by_rule"] == counted["node"]
    assert python["runs"] == 6 and python["candidates_measured"] == 6  # the apply runs' files measure nothing
    assert [(s["stack"], s["fixes_applied_by_rule"]) for s in narrowed["stacks"]] == [("node", counted["node"])]


def test_openapi_documents_the_endpoints_their_models_and_the_bearer_token(key_path: Path, sqlite_url: str) -> None:
    with api_client(key_path, sqlite_url) as client:
        description = client.get("/api/openapi.json", headers=BEARER).json()
    paths = description["paths"]
    assert {"/api/runs", "/api/runs/{run_id}", "/api/runs/{run_id}/report", "/api/aggregates"} <= set(paths)
    assert "/dashboard" not in paths and "/runs/{run_id}/report" not in paths
    listing = paths["/api/runs"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "repository", "stack", "outcome", "kind", "since", "until", "offset", "limit"
    }  # fmt: skip
    answered = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert answered == {"$ref": "#/components/schemas/RunList"}
    assert listing["security"] == [{"HTTPBearer": []}] and "401" in listing["responses"]
    schemas = description["components"]["schemas"]
    assert {"RunList", "RunSummary", "Run", "RunFile", "Aggregates", "StackFigures"} <= set(schemas)
    assert description["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http", "scheme": "bearer", "description": "CODI_API_TOKEN (the dashboard's login cookie works too)"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("headers", "cookies"),
    [({}, {}), ({"Authorization": "Bearer not the token 0123456789"}, {}), ({"Authorization": f"Basic {TOKEN}"}, {}),
     ({"Authorization": f"Bearer {TOKEN[:-1]}"}, {}), ({"Authorization": f"Bearer {TOKEN}x"}, {}),
     ({}, {"codi_api_token": "wrong"})],  # fmt: skip
    ids=["none", "wrong", "basic-scheme", "prefix", "longer", "wrong-cookie"],
)
def test_a_missing_or_wrong_token_is_401(key_path: Path, sqlite_url: str, headers: dict, cookies: dict) -> None:
    with api_client(key_path, sqlite_url) as client:
        client.cookies.update(cookies)
        for path in PATHS:
            answer = client.get(path, headers=headers)
            assert (path, answer.status_code, answer.headers["www-authenticate"]) == (path, 401, "Bearer")
            assert "script" not in answer.text and "octo" not in answer.text


def test_the_login_cookie_opens_the_api_too(key_path: Path, sqlite_url: str) -> None:
    with api_client(key_path, sqlite_url) as client:
        client.cookies.set("codi_api_token", TOKEN)
        assert client.get("/api/runs").json()["total"] == 6


def test_without_a_configured_token_there_is_no_api_nor_dashboard(key_path: Path, sqlite_url: str) -> None:
    with api_client(key_path, sqlite_url, api_token=None) as client:
        for path in [*PATHS, "/dashboard", "/docs", "/openapi.json"]:
            assert (path, client.get(path, headers=BEARER).status_code) == (path, 404)
        assert client.post("/dashboard/login", content=f"token={TOKEN}").status_code == 404
        assert client.get("/healthz").status_code == 200


def test_an_unusable_database_is_503_naming_the_variable(key_path: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'runs.db'}"
    with api_client(key_path, url) as client:
        assert client.get("/healthz").status_code == 200  # the receiver started: the store opens on first use
        answer = client.get("/api/runs", headers=BEARER)
        assert client.get("/api/runs").status_code == 401  # no token: nothing about the database either
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith(f"CODI_DATABASE_URL sqlite:///{tmp_path}/missing/runs.db cannot be used")


@pytest.mark.parametrize("token", ["", "short"])
def test_a_short_token_stops_start_up_naming_the_variable(
    key_path: Path, environment: pytest.MonkeyPatch, token: str  # noqa: F811
) -> None:
    for name, value in make_settings(key_path).model_dump(mode="json", exclude_none=True).items():
        environment.setenv(f"CODI_{name.upper()}", str(value))
    environment.setenv("CODI_API_TOKEN", token)
    with pytest.raises(SettingsError, match="CODI_API_TOKEN must be at least 16 characters"):
        load_settings()
