"""`codi dashboard --export DIR`: the dashboard as static files (index.html, runs/{id}.html), e.g. for GitHub Pages.

The runs come from the store `codi runs` reads (`CODI_DATABASE_URL`, default SQLite in `CODI_DATA_DIR`); the
pages are the ones `codi serve` renders at /dashboard, without the search form, sorting or paging (every run
is on the one page), and linked relatively, so the folder can be served from any path or opened as files.
Runs show private code: publish the folder only where the runs' code may be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codi.storage.runs import RunStore

EXIT_DONE = 0
EXIT_ERROR = 2
"""CODI_DATABASE_URL cannot be used, or DIR cannot be written."""


def export(args: argparse.Namespace, store: RunStore) -> int:
    """Under `codi runs`' handler (`cmd_runs`), which opens the store, names an unusable one and closes it."""
    from codi.app.dashboard import static_site
    from codi.cli.main import write_text

    files = static_site(store)
    directory: Path = args.export
    try:
        for name, text in files.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text(path, text)
    except OSError as error:
        print(f"codi: cannot write {error.filename or directory}: {error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    print(f"codi: wrote the dashboard and {len(files) - 1} run report(s) to {directory}", file=sys.stderr)
    return EXIT_DONE


def add_parser(sub: argparse._SubParsersAction) -> None:
    """`codi dashboard --export DIR`."""
    from codi.cli.runs import cmd_runs
    from codi.cli.usage import exit_codes

    parser = sub.add_parser(
        "dashboard",
        help="write the dashboard of the recorded runs as static HTML (index.html and one report per run)",
        description="The page `codi serve` shows at /dashboard, as files linked relatively (e.g. for GitHub Pages). "
        "Runs show private code: publish the folder only where that code may be read.",
        **exit_codes(
            f"{EXIT_DONE}  the pages were written",
            f"{EXIT_ERROR}  CODI_DATABASE_URL cannot be used, DIR cannot be written, or bad arguments",
        ),
    )
    parser.add_argument(
        "--export", type=Path, required=True, metavar="DIR", help="the folder to write (made if missing)"
    )
    parser.set_defaults(handler=cmd_runs, runs_handler=export)
