"""`/dashboard`: the recorded runs on one server-rendered page, and `codi dashboard --export`'s static copy.

One page, no script: a runs table searched, filtered, sorted and paged by query parameters (a plain GET
form and links), a bar per stack of its median measured size reduction, that reduction over time, the rules
found most, the fixes `/codi apply` committed, and a link to each run's report. Charts are inline SVG, the
CSS is inline, nothing is fetched from anywhere; Jinja2 escapes every value (autoescape), so a repository
name, a path or a model's text is only ever text. The page sits behind CODI_API_TOKEN as the API does: without the token (the login form sets
it as an HttpOnly, SameSite=Strict cookie) the answer is 401 with the form.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlencode

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from codi.app.api import TOKEN_COOKIE, RunStoreOpener, token_matches, utc
from codi.reports.run.page import rule_docs
from codi.storage.runs import RunFilter, RunStore, RunSummary, StackAggregate

MAX_RUNS = 2000
"""The dashboard searches and sorts the newest this many runs matching its filters (the page says when more)."""
PER_PAGE = 25
MAX_PER_PAGE = 200
TOP_RULES = 10
TREND_BUCKETS = 8
MAX_FORM_BYTES = 4096
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
SORTS = {
    "id": lambda run: run.id,
    "started": lambda run: run.started_at,
    "target": lambda run: target(run).lower(),
    "kind": lambda run: run.kind,
    "outcome": lambda run: run.outcome,
    "files": lambda run: run.files,
    "findings": lambda run: run.findings,
    "candidates": lambda run: run.candidates,
}
PALETTE = ("#0969da", "#bf3989", "#1a7f37", "#bc4c00", "#8250df", "#0550ae", "#9a6700", "#cf222e")

CHART_WIDTH = 720
LABEL_WIDTH = 140
VALUE_WIDTH = 200
BAR_HEIGHT = 22
GAP = 8
TREND_HEIGHT = 240
TREND_LEFT = 56
TREND_RIGHT = 16
TREND_TOP = 16
TREND_BOTTOM = 36


class QueryError(ValueError):
    """A query parameter the dashboard cannot use; the message names it."""


@dataclass(frozen=True)
class DashboardQuery:
    """What the form and the links ask for: filters the store applies, a search and an order it does not."""

    q: str = ""
    """Part of the target (repository, path) or commit, any case."""
    repository: str | None = None
    stack: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: str = "started"
    order: str = "desc"
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def parse(cls, params: dict[str, str]) -> DashboardQuery:
        def text(name: str) -> str | None:
            return params.get(name, "").strip() or None

        def moment(name: str) -> datetime | None:
            value = text(name)
            try:
                return utc(datetime.fromisoformat(value)) if value else None
            except ValueError:
                raise QueryError(f"{name} must be an ISO 8601 date or time (e.g. 2026-12-01), not {value!r}") from None

        def number(name: str, default: int, most: int) -> int:
            value = text(name)
            if value is None:
                return default
            if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= most:
                raise QueryError(f"{name} must be a whole number from 1 to {most}, not {value!r}")
            return int(value)

        sort, order = text("sort") or "started", text("order") or "desc"
        if sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        if order not in ("asc", "desc"):
            raise QueryError(f"order must be asc or desc, not {order!r}")
        return cls(
            q=text("q") or "", repository=text("repository"), stack=text("stack"), outcome=text("outcome"),
            since=moment("since"), until=moment("until"), sort=sort, order=order,
            page=number("page", 1, 10**6), per_page=number("per_page", PER_PAGE, MAX_PER_PAGE),
        )  # fmt: skip

    @property
    def filters(self) -> RunFilter:
        return RunFilter(self.repository, self.stack, self.outcome, None, self.since, self.until)

    def matches(self, run: RunSummary) -> bool:
        wanted = self.q.lower()
        return not wanted or any(wanted in value.lower() for value in (target(run), run.head_sha or ""))

    def link(self, **changes: Any) -> str:
        """`?…` for this query with `changes` (a new sort or filter starts again at page 1)."""
        changed = replace(self, **({"page": 1} | changes))
        values = {
            "q": changed.q, "repository": changed.repository, "stack": changed.stack, "outcome": changed.outcome,
            "since": changed.since.isoformat() if changed.since else None,
            "until": changed.until.isoformat() if changed.until else None,
            "sort": None if changed.sort == "started" else changed.sort,
            "order": None if changed.order == "desc" else changed.order,
            "page": None if changed.page == 1 else changed.page,
            "per_page": None if changed.per_page == PER_PAGE else changed.per_page,
        }  # fmt: skip
        return "?" + urlencode({name: value for name, value in values.items() if value})

    def sort_link(self, column: str) -> str:
        order = "asc" if self.sort == column and self.order == "desc" else "desc"
        return self.link(sort=column, order=order)


def target(run: RunSummary) -> str:
    if run.local_path is not None:
        return run.local_path
    pull = f"#{run.pull_number}" if run.pull_number is not None else ""
    return f"{run.repository or 'unknown'}{pull}"


@dataclass(frozen=True)
class StackBar:
    stack: str
    reduction: float
    y: int
    width: float
    color: str
    value: str


@dataclass(frozen=True)
class StackChart:
    """One bar per stack with a measured, passing candidate: its median size reduction (0 % to 100 %)."""

    bars: tuple[StackBar, ...]
    unmeasured: tuple[str, ...]
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return len(self.bars) * (BAR_HEIGHT + GAP) + GAP


def percent(ratio: float | None) -> str:
    return "not measured" if ratio is None else f"{ratio * 100:.1f} %"


def stack_chart(aggregates: Sequence[StackAggregate], colors: dict[str, str]) -> StackChart:
    measured = [aggregate for aggregate in aggregates if aggregate.median_size_reduction is not None]
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = tuple(
        StackBar(
            stack=aggregate.stack, reduction=reduction, y=GAP + index * (BAR_HEIGHT + GAP),
            width=max(1.0, round(room * max(reduction, 0.0), 1)), color=colors[aggregate.stack],
            value=f"{percent(reduction)} smaller, {aggregate.candidates_passed}/{aggregate.candidates_measured} passed",
        )  # fmt: skip
        for index, aggregate in enumerate(measured)
        for reduction in [aggregate.median_size_reduction or 0.0]
    )
    return StackChart(bars, tuple(a.stack for a in aggregates if a.median_size_reduction is None))


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class TrendLine:
    stack: str
    color: str
    points: tuple[TrendPoint, ...]

    @property
    def path(self) -> str:
        return " ".join(f"{point.x},{point.y}" for point in self.points)


@dataclass(frozen=True)
class TrendChart:
    """Median measured size reduction per stack in equal spans of time across the runs shown."""

    lines: tuple[TrendLine, ...]
    ticks: tuple[tuple[float, str], ...]
    """x and the span's start, under the axis."""
    levels: tuple[tuple[float, str], ...]
    """y and its percentage, beside the axis."""
    width: int = CHART_WIDTH
    height: int = TREND_HEIGHT
    left: int = TREND_LEFT
    bottom: int = TREND_HEIGHT - TREND_BOTTOM
    right: int = CHART_WIDTH - TREND_RIGHT


def spans(runs: Sequence[RunSummary]) -> list[tuple[datetime, datetime]]:
    """Up to `TREND_BUCKETS` equal spans from the first run's start to just after the last's."""
    if not runs:
        return []
    first = min(run.started_at for run in runs)
    end = max(run.started_at for run in runs) + timedelta(microseconds=1)
    count = min(TREND_BUCKETS, len({run.started_at.date() for run in runs}))
    step = (end - first) / count
    return [(first + step * index, end if index == count - 1 else first + step * (index + 1)) for index in range(count)]


def trend_chart(
    store: RunStore, filters: RunFilter, runs: Sequence[RunSummary], colors: dict[str, str]
) -> TrendChart | None:
    buckets = spans(runs)
    by_stack: dict[str, list[tuple[int, float]]] = {}
    for index, (start, end) in enumerate(buckets):
        for aggregate in store.stack_aggregates(replace(filters, since=start, until=end)):
            if aggregate.median_size_reduction is not None:
                by_stack.setdefault(aggregate.stack, []).append((index, aggregate.median_size_reduction))
    if not by_stack:
        return None
    values = [value for points in by_stack.values() for _, value in points]
    low, high = min(0.0, *values), max(0.1, *values)
    plot_width = CHART_WIDTH - TREND_LEFT - TREND_RIGHT
    plot_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM

    def x(index: int) -> float:
        return round(TREND_LEFT + plot_width * (index + 0.5) / len(buckets), 1)

    def y(value: float) -> float:
        return round(TREND_TOP + plot_height * (high - value) / (high - low), 1)

    short = buckets[-1][1] - buckets[0][0] < timedelta(days=2)
    label = "%m-%d %H:%M" if short else "%Y-%m-%d"
    lines = tuple(
        TrendLine(stack, colors[stack], tuple(
            TrendPoint(x(index), y(value), f"{stack}, from {buckets[index][0]:{label}}: {percent(value)} smaller")
            for index, value in points
        ))  # fmt: skip
        for stack, points in sorted(by_stack.items())
    )
    ticks = tuple((x(index), f"{start.astimezone(UTC):{label}}") for index, (start, _) in enumerate(buckets))
    levels = tuple((y(value), percent(value)) for value in sorted({low, 0.0, high}))
    return TrendChart(lines, ticks, levels)


def top_rules(aggregates: Sequence[StackAggregate]) -> list[tuple[str, int, str | None]]:
    """The rules found most across the stacks: code, count, its page in codi's rule docs (None: not codi's)."""
    counts: Counter[str] = Counter()
    for aggregate in aggregates:
        counts.update(aggregate.findings_by_rule)
    return [(code, number, rule_docs(code)) for code, number in counts.most_common(TOP_RULES)]


def fixes_applied(aggregates: Sequence[StackAggregate]) -> list[tuple[str, str, int, str | None]]:
    """The fixes `/codi apply` committed: stack, rule, count, the rule's page in codi's rule docs; most first."""
    rows = [
        (aggregate.stack, code, count, rule_docs(code))
        for aggregate in aggregates
        for code, count in aggregate.fixes_applied_by_rule.items()
    ]
    return sorted(rows, key=lambda row: (-row[2], row[0], row[1]))


@dataclass
class DashboardPage:
    """Everything the template shows, worked out from the store."""

    query: DashboardQuery
    runs: list[RunSummary]
    matching: int
    truncated: bool
    pages: int
    stacks: list[str]
    outcomes: list[str]
    aggregates: list[StackAggregate]
    chart: StackChart
    trend: TrendChart | None
    rules: list[tuple[str, int, str | None]]
    fixes: list[tuple[str, str, int, str | None]]
    static: bool = False
    limit: int = MAX_RUNS

    def report_href(self, run_id: int) -> str:
        """Relative, so the page works under any path prefix and as files."""
        return f"runs/{run_id}.html" if self.static else f"runs/{run_id}/report"


def dashboard_page(store: RunStore, query: DashboardQuery, static: bool = False) -> DashboardPage:
    listed = store.list(query.filters, 0, MAX_RUNS)
    found = [run for run in listed.runs if query.matches(run)]
    key = SORTS[query.sort]
    found.sort(key=lambda run: (key(run), run.id), reverse=query.order == "desc")
    every = store.stack_aggregates()
    colors = {aggregate.stack: PALETTE[index % len(PALETTE)] for index, aggregate in enumerate(every)}
    aggregates = store.stack_aggregates(query.filters)
    per_page = (len(found) or 1) if static else query.per_page
    pages = max(1, -(-len(found) // per_page))
    start = (min(query.page, pages) - 1) * per_page
    return DashboardPage(
        query=query, runs=found[start : start + per_page], matching=len(found), truncated=listed.total > MAX_RUNS,
        pages=pages, stacks=[aggregate.stack for aggregate in every],
        outcomes=sorted({run.outcome for run in listed.runs} | ({query.outcome} if query.outcome else set())),
        aggregates=aggregates, chart=stack_chart(aggregates, colors),
        trend=trend_chart(store, query.filters, listed.runs, colors), rules=top_rules(aggregates),
        fixes=fixes_applied(aggregates), static=static,
    )  # fmt: skip


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("codi.app", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_dashboard(page: DashboardPage, error: str | None = None) -> str:
    """The page; `error` names a query parameter it could not use (the page then shows the unfiltered runs)."""
    template = _templates().get_template("dashboard.html.j2")
    return template.render(page=page, error=error, percent=percent, target=target)


def render_login(action: str, message: str | None = None) -> str:
    """The sign-in form, posting to `action` (relative to the page's own path)."""
    return _templates().get_template("login.html.j2").render(action=action, message=message)


def static_site(store: RunStore) -> dict[str, str]:
    """`codi dashboard --export`'s files by relative path: index.html and runs/{id}.html, linked relatively."""
    from codi.reports.run import render_html

    page = dashboard_page(store, DashboardQuery(), static=True)
    files = {"index.html": render_dashboard(page)}
    for run in page.runs:
        files[f"runs/{run.id}.html"] = render_html(store.get(run.id))
    return files


def _page(html: str, status: int = 200, **headers: str) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS | headers)


def dashboard_router(stores: RunStoreOpener, token: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def signed_in(request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        supplied = credentials.strip() if scheme.lower() == "bearer" else request.cookies.get(TOKEN_COOKIE)
        return token_matches(supplied, token)

    @router.get("/dashboard")
    def dashboard(request: Request) -> Response:
        if not signed_in(request):
            return _page(render_login("dashboard/login"), 401, **{"WWW-Authenticate": "Bearer"})
        try:
            query = DashboardQuery.parse(dict(request.query_params))
        except QueryError as error:
            return _page(render_dashboard(dashboard_page(stores(), DashboardQuery()), str(error)), 400)
        return _page(render_dashboard(dashboard_page(stores(), query)))

    @router.post("/dashboard/login")
    async def login(request: Request) -> Response:
        body = await request.body()
        fields = parse_qs(body[:MAX_FORM_BYTES].decode("utf-8", "replace")) if len(body) <= MAX_FORM_BYTES else {}
        supplied = fields.get("token", [""])[0]
        if not token_matches(supplied, token):
            return _page(render_login("login", "That is not the token CODI_API_TOKEN holds."), 401)
        response = RedirectResponse("../dashboard", status_code=303, headers=PAGE_HEADERS)
        response.set_cookie(TOKEN_COOKIE, supplied, httponly=True, samesite="strict",
                            secure=request.url.scheme == "https", path="/")  # fmt: skip
        return response

    @router.post("/dashboard/logout")
    def logout() -> Response:
        response = RedirectResponse("../dashboard", status_code=303, headers=PAGE_HEADERS)
        response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
        return response

    return router
