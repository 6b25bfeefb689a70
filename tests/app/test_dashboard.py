"""`/dashboard` (codi/app/dashboard.py) as a browser without JavaScript gets it: the login form (401 until the
token is given; an HttpOnly, SameSite=Strict cookie after), the runs table searched, filtered, sorted and paged
by query parameters, the per-stack and over-time SVG charts, top rules, fixes applied via /codi apply, report
links; hostile text only ever text; a bad parameter 400 naming it; and `codi dashboard --export DIR`'s static
copy, linked relatively."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from codi.cli.main import main
from tests.app.seeded_runs import BEARER, TOKEN, api_client, apply_runs, seed
from tests.reports.runs import SCRIPT
from tests.reports.test_run_report import Page, read_page

LOADING = {"script", "img", "iframe", "object", "embed", "base", "audio", "video", "source"}


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'runs.db'}"
    seed(url)
    return url


@pytest.fixture
def client(key_path: Path, sqlite_url: str) -> TestClient:
    with api_client(key_path, sqlite_url) as test_client:
        yield test_client


def rows(html: str) -> list[int]:
    return [int(run) for run in re.findall(r'<tr class="run" data-run="(\d+)">', html)]


def dashboard(client: TestClient, **params: object) -> str:
    answer = client.get("/dashboard", params=params, headers=BEARER)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_login_form_sets_an_http_only_strict_cookie(client: TestClient) -> None:
    form = client.get("/dashboard")
    assert form.status_code == 401 and '<form method="post" action="dashboard/login" id="login">' in form.text
    assert rows(form.text) == [] and "octo" not in form.text
    wrong = client.post("/dashboard/login", data={"token": "guess"})
    assert wrong.status_code == 401 and "That is not the token" in wrong.text and 'action="login"' in wrong.text
    assert "set-cookie" not in wrong.headers
    signed = client.post("/dashboard/login", data={"token": TOKEN}, follow_redirects=False)
    assert (signed.status_code, signed.headers["location"]) == (303, "../dashboard")
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith(f'codi_api_token="{TOKEN}"') or cookie.startswith(f"codi_api_token={TOKEN}")
    assert {"HttpOnly", "SameSite=strict", "Path=/"} <= {part.strip() for part in cookie.split(";")}
    page = client.get(urljoin("http://testserver/dashboard/login", signed.headers["location"]))
    assert page.status_code == 200 and rows(page.text) == [6, 5, 4, 3, 2, 1]
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    out = client.post("/dashboard/logout", follow_redirects=False)
    assert out.status_code == 303 and 'codi_api_token=""' in out.headers["set-cookie"]
    client.cookies.clear()
    assert client.get("/dashboard").status_code == 401


def test_a_huge_login_form_is_refused_without_reading_a_token(client: TestClient) -> None:
    answer = client.post("/dashboard/login", content=f"token={TOKEN}&pad={'x' * 5000}")
    assert answer.status_code == 401 and "set-cookie" not in answer.headers


def test_search_filters_sort_and_pages_work_by_query_parameters(client: TestClient) -> None:
    assert rows(dashboard(client, stack="node")) == [6, 4, 3]
    assert rows(dashboard(client, outcome="failure")) == [4, 1]
    assert rows(dashboard(client, repository="OCTO/WEB")) == [4, 3]
    assert rows(dashboard(client, q="srv/app")) == [5]  # part of a local path
    assert rows(dashboard(client, q="1010101010")) == [2]  # part of a commit
    assert rows(dashboard(client, since="2026-11-20", until="2026-11-29")) == [4, 3]
    assert rows(dashboard(client, sort="id", order="asc")) == [1, 2, 3, 4, 5, 6]
    findings = {run["id"]: run["findings"] for run in client.get("/api/runs", headers=BEARER).json()["runs"]}
    by_findings = sorted(findings, key=lambda run: (findings[run], run))
    assert rows(dashboard(client, sort="findings", order="asc")) == by_findings
    assert rows(dashboard(client, sort="findings")) == by_findings[::-1]
    first = dashboard(client, per_page=4)
    assert rows(first) == [6, 5, 4, 3] and "page 1 of 2" in first and 'rel="prev"' not in first
    assert '<a href="?page=2&amp;per_page=4" rel="next">next</a>' in first
    second = dashboard(client, per_page=4, page=2)
    assert rows(second) == [2, 1] and "page 2 of 2" in second and 'rel="prev"' in second
    sorted_by_target = dashboard(client, sort="target", order="asc")
    assert '<a href="?sort=target">Repository or path</a> ▲' in sorted_by_target  # the next click sorts down
    assert rows(sorted_by_target) == [5, 1, 2, 6, 3, 4]  # /srv/…, Octo/API#0, octo/api#10, octo/app…, octo/web#20, #25


@pytest.mark.parametrize(
    ("params", "named"),
    [({"since": "last week"}, "since"), ({"page": "0"}, "page"), ({"per_page": "x"}, "per_page"),
     ({"sort": "text"}, "sort"), ({"order": "up"}, "order")],  # fmt: skip
)
def test_a_bad_parameter_is_400_naming_it(client: TestClient, params: dict, named: str) -> None:
    answer = client.get("/dashboard", params=params, headers=BEARER)
    assert answer.status_code == 400
    assert re.search(rf'<p class="error" role="alert">{named} must be ', answer.text)
    assert rows(answer.text) == [6, 5, 4, 3, 2, 1]  # the page still shows the unfiltered runs


def test_the_charts_are_inline_svg_with_a_mark_per_stack_and_span(client: TestClient) -> None:
    html = dashboard(client)
    bars = re.findall(r'<g class="bar" data-stack="(\w+)">\n<title>([^<]*)</title>', html)
    assert bars == [("node", "node: 20.0 % smaller, 1/1 passed"), ("python", "python: 50.0 % smaller, 5/6 passed")]
    series = re.findall(r'<g class="series" data-stack="(\w+)">', html)
    assert series == ["node", "python"]
    points = re.findall(r"<circle [^>]*><title>([^<]*)</title></circle>", html)
    # six days with runs: six equal spans of about five days from 11-01 12:00; python measured in the first (0.3
    # and 0.6: median 0.45), the third (0.5) and the last (the rich run: 0.1 and 0.75); node in the fifth (0.2)
    assert points == [
        "node, from 2026-11-21: 20.0 % smaller", "python, from 2026-11-01: 45.0 % smaller",
        "python, from 2026-11-11: 50.0 % smaller", "python, from 2026-11-26: 42.5 % smaller",
    ]  # fmt: skip
    ticks = re.findall(r'<text x="[^"]+" y="[^"]+" text-anchor="middle">([^<]*)</text>', html)
    assert ticks == ["2026-11-01", "2026-11-06", "2026-11-11", "2026-11-16", "2026-11-21", "2026-11-26"]
    assert "Not shown" not in html
    narrowed = dashboard(client, stack="node")
    assert re.findall(r'<g class="bar" data-stack="(\w+)">', narrowed) == ["node"]


def test_top_rules_are_counted_across_stacks_and_link_their_docs(client: TestClient) -> None:
    counts: dict[str, int] = {}
    for stack in client.get("/api/aggregates", headers=BEARER).json()["stacks"]:
        for code, number in stack["findings_by_rule"].items():
            counts[code] = counts.get(code, 0) + number
    table = dashboard(client).split('<table id="rules-table">')[1].split("</table>")[0]
    row = r'<tr><td>(?:<a href="([^"]+)">)?<code>(\w+)</code>(?:</a>)?</td><td class="number">(\d+)</td>'
    found = re.findall(row, table)
    assert len(found) == 10
    assert [int(number) for _, _, number in found] == sorted(counts.values(), reverse=True)[:10]
    assert all(counts[code] == int(number) for _, code, number in found)
    assert all(docs.startswith("https://github.com/") for docs, code, _ in found if code.startswith("CD"))
    assert any(docs for docs, _, _ in found)


def test_hostile_text_is_only_text(client: TestClient) -> None:
    html = dashboard(client)
    page: Page = read_page(html)
    assert not LOADING & set(page.tags)
    assert [(tag, name) for tag, name, _ in page.attributes if name.startswith("on")] == []
    for tag, name, value in page.attributes:
        if name in ("href", "action", "src"):
            relative = value in ("data:,", "", "dashboard/logout") or value.startswith(("?", "runs/"))
            assert relative or value.startswith("https://github.com/"), (tag, name, value)
    assert f"octo/app{SCRIPT}#7" in page.text  # the repository name as the words it is
    assert "<script" not in html and f"<code>octo/app{escape(SCRIPT)}#7</code>" in html


def test_reports_are_linked_relatively_and_served(client: TestClient) -> None:
    html = dashboard(client)
    assert '<a href="runs/6/report">report</a>' in html
    report = client.get(urljoin("http://testserver/dashboard", "runs/6/report"), headers=BEARER)
    assert report.status_code == 200 and "<h1>codi report: run 6</h1>" in report.text


def test_export_writes_a_static_copy_linked_relatively(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CODI_DATABASE_URL", sqlite_url)
    out = tmp_path / "site"
    assert main(["dashboard", "--export", str(out)]) == 0
    assert capsys.readouterr().err == f"codi: wrote the dashboard and 6 run report(s) to {out}\n"
    index = (out / "index.html").read_text()
    assert rows(index) == [6, 5, 4, 3, 2, 1] and "<form" not in index and "?sort=" not in index
    links = re.findall(r'<a href="([^"]+)">report</a>', index)
    assert links == [f"runs/{run}.html" for run in (6, 5, 4, 3, 2, 1)]
    for link in links:
        assert (out / link).read_text().startswith("<!DOCTYPE html>")
    assert "<h1>codi report: run 6</h1>" in (out / "runs/6.html").read_text()
    assert '<g class="bar" data-stack="python">' in index and SCRIPT not in index


def test_export_names_what_it_cannot_write_or_read(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CODI_DATABASE_URL", sqlite_url)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["dashboard", "--export", str(blocker)]) == 2
    assert capsys.readouterr().err.startswith(f"codi: cannot write {blocker}")
    monkeypatch.setenv("CODI_DATABASE_URL", "mysql://nowhere/x")
    assert main(["dashboard", "--export", str(tmp_path / "site")]) == 2
    assert capsys.readouterr().err.startswith("codi: invalid configuration: CODI_DATABASE_URL")
    assert not (tmp_path / "site").exists()
    with pytest.raises(SystemExit) as exit_:
        main(["dashboard"])
    assert exit_.value.code == 2 and "--export" in capsys.readouterr().err


FIX_ROW = (
    r'<tr><td>(\w+)</td><td>(?:<a href="([^"]+)">)?<code>(\w+)</code>(?:</a>)?</td><td class="number">(\d+)</td></tr>'
)


def test_the_fixes_applied_via_codi_apply_are_tabled_per_stack_and_rule(
    key_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: TestClient
) -> None:
    assert "No fix was committed by /codi apply in these runs." in dashboard(client)  # the seeded runs: reviews only
    url = f"sqlite:///{tmp_path / 'applied.db'}"
    seed(url, apply_runs())
    with api_client(key_path, url) as applied:
        expected = [
            (stack["stack"], code, count)
            for stack in applied.get("/api/aggregates", headers=BEARER).json()["stacks"]
            for code, count in stack["fixes_applied_by_rule"].items()
        ]
        html = dashboard(applied)
        narrowed = dashboard(applied, stack="node")
    assert "<h2>Fixes applied via /codi apply</h2>" in html
    table = html.split('<table id="fixes-table">')[1].split("</table>")[0]
    found = re.findall(FIX_ROW, table)
    assert sorted((stack, code, int(count)) for stack, _, code, count in found) == sorted(expected)
    assert [int(count) for *_, count in found] == sorted((count for *_, count in expected), reverse=True)
    assert ("python", "DL3025", 2) in expected and any(docs for _, docs, _, _ in found)
    assert {stack for stack, *_ in re.findall(FIX_ROW, narrowed.split('<table id="fixes-table">')[1])} == {"node"}

    monkeypatch.setenv("CODI_DATABASE_URL", url)
    assert main(["dashboard", "--export", str(tmp_path / "site")]) == 0
    index = (tmp_path / "site" / "index.html").read_text()
    exported = index.split('<table id="fixes-table">')[1].split("</table>")[0]
    assert re.findall(FIX_ROW, exported) == found
    assert (tmp_path / "site" / "runs" / "9.html").read_text().startswith("<!DOCTYPE html>")  # an apply run's report
