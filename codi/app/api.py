"""The read-only API under `/api/`: recorded runs, one run, its report, per-stack figures.

Runs show private code (Dockerfile texts, paths, findings), so every route here and the dashboard's sit
behind `CODI_API_TOKEN`, sent as `Authorization: Bearer …` or as the HttpOnly cookie the dashboard's login
form sets; a missing or wrong token gets 401. Without a configured token the routes are not there at all
(404): nothing about runs is served by a receiver nobody set a token for. The run store is opened on first
use, so the receiver starts as fast as before, and an unusable CODI_DATABASE_URL is a 503 naming it.
"""

from __future__ import annotations

import hmac
import threading
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from codi.settings import Settings, SettingsError
from codi.storage.runs import Run, RunFilter, RunKind, RunNotFound, RunStore, RunSummary, StackAggregate

TOKEN_COOKIE = "codi_api_token"
MAX_PAGE = 200
"""The most runs one `GET /api/runs` answers with."""
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'"
"""A report is self-contained: it may load nothing, run nothing, post nothing, be framed by nobody."""


class RunList(BaseModel):
    """One page of runs, newest first, with the number matching the filters on every page."""

    runs: list[RunSummary]
    total: int
    offset: int
    limit: int


class StackFigures(StackAggregate):
    candidate_pass_rate: float | None
    """candidates_passed / candidates_measured; None: no candidate was measured."""


class Aggregates(BaseModel):
    stacks: list[StackFigures]


class RunStoreOpener:
    """Opens the run store (migrating its schema) once, on the first request that needs it."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._store: RunStore | None = None
        self._lock = threading.Lock()

    def __call__(self) -> RunStore:
        with self._lock:
            if self._store is None:
                from codi.storage.database import init_db

                try:
                    self._store = RunStore(init_db(self._url))
                except SettingsError as error:
                    raise HTTPException(503, str(error).removeprefix("invalid configuration: ")) from None
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


def token_matches(supplied: str | None, expected: str) -> bool:
    """Constant-time comparison: how long it takes says nothing about how much of a guess was right."""
    return supplied is not None and hmac.compare_digest(supplied.encode(), expected.encode())


def utc(moment: datetime | None) -> datetime | None:
    """A date or time without a zone is UTC's (as `codi runs list --since` takes it)."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def report_response(run: Run, format: Literal["md", "html"]) -> Response:
    from codi.reports.run import render_html, render_markdown

    if format == "md":
        return PlainTextResponse(render_markdown(run), media_type="text/markdown; charset=utf-8")
    return HTMLResponse(render_html(run), headers={"Content-Security-Policy": REPORT_CSP})


BEARER = HTTPBearer(auto_error=False, description="CODI_API_TOKEN (the dashboard's login cookie works too)")


def api_router(stores: RunStoreOpener, token: str) -> APIRouter:
    def authorized(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
    ) -> None:
        supplied = credentials.credentials if credentials is not None else request.cookies.get(TOKEN_COOKIE)
        if not token_matches(supplied, token):
            raise HTTPException(401, "missing or wrong token: send Authorization: Bearer <CODI_API_TOKEN>",
                                headers={"WWW-Authenticate": "Bearer"})  # fmt: skip

    def read(run_id: int) -> Run:
        try:
            return stores().get(run_id)
        except RunNotFound:
            raise HTTPException(404, f"no run {run_id}") from None

    router = APIRouter(dependencies=[Depends(authorized)], responses={401: {"description": "missing or wrong token"}})

    @router.get("/api/runs", tags=["runs"])
    def list_runs(
        repository: Annotated[str | None, Query(description="owner/name, any case")] = None,
        stack: str | None = None,
        outcome: str | None = None,
        kind: RunKind | None = None,
        since: Annotated[datetime | None, Query(description="started at or after (UTC without a zone)")] = None,
        until: Annotated[datetime | None, Query(description="started before (UTC without a zone)")] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    ) -> RunList:
        """Recorded runs matching every filter given, newest first."""
        page = stores().list(RunFilter(repository, stack, outcome, kind, utc(since), utc(until)), offset, limit)
        return RunList(runs=page.runs, total=page.total, offset=offset, limit=limit)

    @router.get("/api/runs/{run_id}", tags=["runs"], responses={404: {"description": "no such run"}})
    def get_run(run_id: int) -> Run:
        """One run whole: its Dockerfiles' texts, findings, candidates, measurements, ranking, environment."""
        return read(run_id)

    @router.get(
        "/api/runs/{run_id}/report",
        tags=["runs"],
        response_class=Response,
        responses={200: {"content": {"text/html": {}, "text/markdown": {}}}, 404: {"description": "no such run"}},
    )
    def run_report(run_id: int, format: Literal["md", "html"] = "html") -> Response:
        """The run's report, as `codi report RUN --format …` writes it."""
        return report_response(read(run_id), format)

    @router.get("/runs/{run_id}/report", include_in_schema=False)
    def linked_report(run_id: int, format: Literal["md", "html"] = "html") -> Response:
        """Where the summary comment's link (`CODI_PUBLIC_URL`) points."""
        return report_response(read(run_id), format)

    @router.get("/api/aggregates", tags=["aggregates"])
    def aggregates(
        repository: str | None = None,
        stack: str | None = None,
        outcome: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Aggregates:
        """Per stack: median measured size reduction, the candidates' pass rate, findings by rule (of reviews) and
        the fixes `/codi apply` committed by rule."""
        found = stores().stack_aggregates(RunFilter(repository, stack, outcome, None, utc(since), utc(until)))
        return Aggregates(stacks=[figures(aggregate) for aggregate in found])

    @router.get("/api/openapi.json", include_in_schema=False)
    def openapi(request: Request) -> dict[str, object]:
        """The API's description (behind the token as the rest: it is only served to those who may use it)."""
        return request.app.openapi()

    return router


def figures(aggregate: StackAggregate) -> StackFigures:
    return StackFigures(**aggregate.model_dump(), candidate_pass_rate=aggregate.pass_rate)


def include_api(app: FastAPI, settings: Settings) -> None:
    """The API and the dashboard on `app` when CODI_API_TOKEN is set; without it, neither (their paths are 404)."""
    if settings.api_token is None:
        return
    from codi.app.dashboard import dashboard_router

    token = settings.api_token.get_secret_value()
    stores = RunStoreOpener(settings.database_url)
    app.state.run_stores = stores
    app.include_router(api_router(stores, token))
    app.include_router(dashboard_router(stores, token))
