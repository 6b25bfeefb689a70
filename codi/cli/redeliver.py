"""`codi redeliver`: ask GitHub to send again the webhook deliveries the receiver did not take.

GitHub never redelivers a failed delivery by itself (a 503 while Redis was down, a timeout, the receiver
not running): the event is lost unless someone asks. This signs in as the App (its JWT, from
`CODI_GITHUB_APP_ID` and `CODI_GITHUB_PRIVATE_KEY_PATH`, at `CODI_GITHUB_API_URL`; it reads no other
setting, so it runs where the webhook secret is not), pages through `GET /app/hook/deliveries`
(newest first, cursor pagination) back to the start of the window, and for each event (guid) none of
whose deliveries got a 2xx answer re-requests its latest attempt with
`POST /app/hook/deliveries/{id}/attempts`, oldest event first. The receiver takes a delivery id once, so
asking twice does no harm.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from codi.cli.usage import exit_codes

if TYPE_CHECKING:  # githubkit takes a quarter of a second to import: only `codi redeliver` itself pays it
    from githubkit import AppAuthStrategy, GitHub

    from codi.settings import AppSettings

MAX_HOURS = 72
"""GitHub redelivers deliveries of the past three days only."""
PAGE_SIZE = 100
EXIT_DONE = 0
"""Nothing left undelivered in the window, or every such event was re-requested (or listed, with --dry-run)."""
EXIT_REFUSED = 1
"""GitHub refused at least one redelivery request; the others were made."""
EXIT_ERROR = 2
"""Bad settings or arguments, or the deliveries could not be listed: nothing was re-requested."""


@dataclass(frozen=True)
class Delivery:
    """One delivery attempt, as `GET /app/hook/deliveries` lists it."""

    id: int
    guid: str
    event: str
    action: str | None
    status_code: int
    status: str
    delivered_at: datetime
    redelivery: bool

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Delivery:
        return cls(
            id=item["id"],
            guid=item["guid"],
            event=item["event"],
            action=item.get("action"),
            status_code=item["status_code"],
            status=item["status"],
            delivered_at=datetime.fromisoformat(item["delivered_at"]),
            redelivery=item["redelivery"],
        )

    @property
    def ok(self) -> bool:
        """The receiver took it (it answers 2xx to every delivery it took, ignored ones included)."""
        return 200 <= self.status_code < 300

    def __str__(self) -> str:
        what = f"{self.event}.{self.action}" if self.action else self.event
        answered = f"{self.status_code} {self.status}" if self.status_code else self.status
        return f"{self.id} {what} {self.guid} (answered {answered} at {self.delivered_at:%Y-%m-%d %H:%M:%S} UTC)"


def app_client(settings: AppSettings) -> GitHub[AppAuthStrategy]:
    """githubkit signed in as the App itself (JWT), with the workers' timeout and retry decision."""
    from githubkit import AppAuthStrategy, GitHub

    from codi.worker.github import RetryDecision, RetryPolicy

    return GitHub(
        AppAuthStrategy(settings.github_app_id, settings.private_key()),
        base_url=settings.github_api_url,
        user_agent="codi-github-app",
        timeout=settings.github_timeout_seconds,
        auto_retry=RetryDecision(RetryPolicy(), lambda status: None),
    )


def deliveries_since(github: GitHub[AppAuthStrategy], since: datetime) -> list[Delivery]:
    """Every delivery made since `since`, newest first: pages follow `Link: rel="next"`'s cursor and stop at
    the first page that reaches back past `since`."""
    from githubkit.utils import UNSET

    from codi.worker.github import GitHubUnavailable, translated_errors

    found: list[Delivery] = []
    cursor: Any = UNSET
    while True:
        with translated_errors("list the App's webhook deliveries"):
            response = github.rest.apps.list_webhook_deliveries(per_page=PAGE_SIZE, cursor=cursor)
        page = [Delivery.from_json(item) for item in response.json()]
        found += [delivery for delivery in page if delivery.delivered_at >= since]
        following = response.raw_response.links.get("next", {}).get("url")
        if not page or page[-1].delivered_at < since or following is None:
            return found
        cursors = parse_qs(urlsplit(following).query).get("cursor")
        if not cursors:
            raise GitHubUnavailable(f"list the App's webhook deliveries: no cursor in the next page's link {following}")
        cursor = cursors[-1]


def undelivered(deliveries: list[Delivery]) -> list[Delivery]:
    """The latest attempt of each event none of whose attempts the receiver took, oldest event first."""
    taken = {delivery.guid for delivery in deliveries if delivery.ok}
    latest: dict[str, Delivery] = {}
    for delivery in deliveries:  # newest first: the first seen per guid is its latest attempt
        if delivery.guid not in taken:
            latest.setdefault(delivery.guid, delivery)
    return sorted(latest.values(), key=lambda delivery: (delivery.delivered_at, delivery.id))


def redeliver(args: argparse.Namespace) -> int:
    """List the window's deliveries, re-request the undelivered ones (unless --dry-run); say each."""
    from codi.settings import SettingsError, load_app_settings
    from codi.worker.github import GitHubRejected, GitHubUnavailable, translated_errors

    try:
        settings = load_app_settings()  # the App's identity only: no webhook secret, Redis or database needed
    except SettingsError as error:
        print(f"codi: {error}", file=sys.stderr)
        return EXIT_ERROR
    github = app_client(settings)
    since = datetime.now(UTC) - timedelta(hours=args.hours)
    try:
        deliveries = deliveries_since(github, since)
    except (GitHubRejected, GitHubUnavailable) as error:
        print(f"codi: {error}", file=sys.stderr)
        return EXIT_ERROR
    pending = undelivered(deliveries)
    print(f"{len(deliveries)} deliveries in the last {args.hours:g} h; {len(pending)} event(s) not taken by the receiver")
    refused = 0
    for delivery in pending:
        if args.dry_run:
            print(f"would redeliver {delivery}")
            continue
        try:
            with translated_errors(f"redeliver {delivery.id}"):
                github.rest.apps.redeliver_webhook_delivery(delivery.id)
        except (GitHubRejected, GitHubUnavailable) as error:
            refused += 1
            print(f"not redelivered {delivery}: {error}")
            continue
        print(f"redelivered {delivery}")
    if refused:
        print(f"codi: GitHub refused {refused} of {len(pending)} redeliveries", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_DONE


def hours(text: str) -> float:
    """`--hours`: a positive number of hours, at most GitHub's redelivery window."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= MAX_HOURS:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {MAX_HOURS} (GitHub's redelivery window)")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    """`codi redeliver [--hours N] [--dry-run]`."""
    parser = sub.add_parser(
        "redeliver",
        help="ask GitHub to redeliver the webhook deliveries the receiver did not take (settings from CODI_*)",
        **exit_codes(
            f"{EXIT_DONE}  nothing was left undelivered, or every such event was re-requested (listed, with --dry-run)",
            f"{EXIT_REFUSED}  GitHub refused at least one redelivery; the others were made",
            f"{EXIT_ERROR}  bad settings, or the deliveries could not be listed: nothing was re-requested",
        ),
    )
    parser.add_argument("--hours", type=hours, default=24.0, help=f"how far back to look (default 24, at most {MAX_HOURS})")
    parser.add_argument("--dry-run", action="store_true", help="list what would be redelivered, re-request nothing")
    parser.set_defaults(handler=redeliver)
