"""`codi report RUN [--format md|html] [--out FILE]`: one recorded run as a report.

The run comes from the store `codi runs` reads (`CODI_DATABASE_URL`, default SQLite in `CODI_DATA_DIR`);
the report is written to standard output, or through a temporary file renamed over `--out`, so a failed
write leaves no half report.
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
"""No run has that id, --out cannot be written, bad arguments, or CODI_DATABASE_URL cannot be used."""
FORMATS = ["md", "html"]


def cmd_report(args: argparse.Namespace, store: RunStore) -> int:
    """Run by `codi runs`' handler, which opens the store (exit 2 when it cannot) and closes it."""
    from codi.cli.main import write_text
    from codi.cli.runs import stored_run
    from codi.reports.run import render_html, render_markdown

    if (run := stored_run(store, args.run)) is None:
        return EXIT_ERROR
    text = render_html(run) if args.format == "html" else render_markdown(run)
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_DONE
    try:
        write_text(args.out, text)
    except OSError as error:
        print(f"codi: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    print(f"codi: wrote the report of run {run.id} to {args.out}", file=sys.stderr)
    return EXIT_DONE


def add_parser(sub: argparse._SubParsersAction) -> None:
    """`codi report`."""
    from codi.cli.main import exit_codes
    from codi.cli.runs import cmd_runs, run_id

    codes = exit_codes(
        f"{EXIT_DONE}  the report was written",
        f"{EXIT_ERROR}  no run has that id, --out cannot be written, bad arguments, "
        "or CODI_DATABASE_URL cannot be used",
    )
    parser = sub.add_parser(
        "report",
        help="a recorded run as a Markdown or self-contained HTML report",
        description="Overview, key metrics, candidates, start-command rewrites, security notes, environment, "
        "the model's part and the diffs of one run (see `codi runs list`).",
        **codes,
    )
    parser.add_argument("run", type=run_id, help="the run's id")
    parser.add_argument("-f", "--format", default="md", choices=FORMATS, help="output format (default %(default)s)")
    where = "where to write (the report, into this file; default: stdout)"
    parser.add_argument("--out", type=Path, metavar="FILE", help=where)
    parser.set_defaults(handler=cmd_runs, runs_handler=cmd_report)
