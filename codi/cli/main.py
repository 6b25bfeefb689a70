"""`codi analyze` and `codi fix`: the core pipeline on local files."""

from __future__ import annotations

import argparse
import difflib
import errno
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from codi import __version__
from codi.cli.action import add_parser as add_action_parser
from codi.cli.dashboard import add_parser as add_dashboard_parser
from codi.cli.discover import DOCKERFILE_PATTERNS, find_dockerfiles
from codi.cli.measure import add_network_option
from codi.cli.perf import add_parser as add_perf_parser
from codi.cli.redeliver import add_parser as add_redeliver_parser
from codi.cli.report import add_parser as add_report_parser
from codi.cli.runs import add_parser as add_runs_parser
from codi.cli.usage import exit_codes
from codi.pipeline.config import LintConfig, SmokeSettings
from codi.pipeline.configfile import CONFIG_NAMES, first_config, parse_config
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.lint import PARSE_ERROR_CODE, LintResult, ScriptChecker, SourceFile, fix_text, lint_files
from codi.pipeline.parser import parse
from codi.pipeline.source import Span
from codi.worker.routing import PLATFORMS

if TYPE_CHECKING:
    from codi.pipeline.optimize.model import OptimizeResult
    from codi.storage.runs import RunRecorder

_MAX_CONTEXT_FILES = 50_000
LINT_FORMATS = ["tty", "json", "sarif", "checkstyle", "gitlab_codeclimate"]


STDIN = "-"
"""The path that names standard input (`codi analyze -`, as hadolint reads it)."""
TEXT_SNIFF_CHARS = 8000
"""A NUL among the first characters marks a file that is not text (git's test)."""
NOT_TEXT = "not a text file (it holds NUL bytes)"


def read_text(path: Path) -> str:
    """File text exactly as stored (undecodable bytes survive a round trip); `-` is standard input."""
    data = sys.stdin.buffer.read() if str(path) == STDIN else path.read_bytes()
    return data.decode("utf-8", "surrogateescape")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def is_text(text: str) -> bool:
    return "\0" not in text[:TEXT_SNIFF_CHARS]


def write_text(path: Path, text: str) -> None:
    """Write through a temporary file beside `path`, renamed over it: a failed write leaves the file as it was."""
    target = path.resolve()
    if target.exists() and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".codi")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(text.encode("utf-8", "surrogateescape"))
        if target.exists():
            shutil.copymode(target, temporary)
        else:  # mkstemp's 0600, made what open() would have given a new file
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def find_config(start: Path) -> Path | None:
    """The nearest config file in `start` or its parents, then the user's config dir."""
    for directory in [start, *start.parents]:
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    user = Path.home() / ".config" / "hadolint.yaml"
    return user if user.is_file() else None


def context_smoke_settings(context: Path) -> SmokeSettings:
    """The `smoke-test:` settings of the config nearest the build context (the repository's own)."""
    path = find_config(context.resolve())
    return (parse_config(read_text(path), str(path)) if path else LintConfig()).smoke


class UnreadableFile(Exception):
    """A file named on the command line cannot be read (exit status 2, as for any bad argument)."""


class NoDockerfile(Exception):
    """A directory named on the command line holds no Dockerfile (exit status 1, as hadolint's for a directory)."""


def read_dockerfile(path: Path) -> str:
    """The file's text; `UnreadableFile` saying why when it cannot be read."""
    try:
        return read_text(path)
    except OSError as error:
        raise UnreadableFile(f"cannot read {path}: {error.strerror or error}") from None


def read_text_dockerfile(path: Path) -> str:
    """`read_dockerfile`, refusing a file that is not text (the optimiser and the model need a Dockerfile)."""
    text = read_dockerfile(path)
    if not is_text(text):
        raise UnreadableFile(f"{path}: {NOT_TEXT}")
    return text


def dockerfiles(paths: list[str]) -> list[Path]:
    """`find_dockerfiles`, with `NoDockerfile` for a named directory where none is found."""
    found = find_dockerfiles(paths)
    for raw in paths:
        directory = Path(raw)
        if directory.is_dir() and not any(directory in path.parents for path in found):
            names = ", ".join(DOCKERFILE_PATTERNS)
            raise NoDockerfile(f"no Dockerfile in {directory} (nor below it): files named {names} are linted")
    return found


def load_config(args: argparse.Namespace) -> LintConfig:
    path = Path(args.config) if args.config else find_config(Path.cwd())
    config = parse_config(read_dockerfile(path), str(path)) if path else LintConfig()
    if args.ignore:
        config = replace(config, ignored=config.ignored | frozenset(args.ignore))
    if args.failure_threshold:
        config = replace(config, failure_threshold=Severity.parse(args.failure_threshold))
    if args.no_fail:
        config = replace(config, no_fail=True)
    if args.trusted_registry:
        config = replace(config, trusted_registries=config.trusted_registries + tuple(args.trusted_registry))
    if args.no_shellcheck:
        config = replace(config, shellcheck=False)
    return config


def context_listing(directory: Path) -> frozenset[str]:
    """Relative paths of the files in a build context (bounded, `.git` skipped)."""
    files: list[str] = []
    for path in directory.rglob("*"):
        if ".git" in path.relative_to(directory).parts:
            continue
        if path.is_file():
            files.append(path.relative_to(directory).as_posix())
            if len(files) >= _MAX_CONTEXT_FILES:
                break
    return frozenset(files)


def script_checker(config: LintConfig) -> ScriptChecker | None:
    if not config.shellcheck:
        return None
    from codi.adapters.shellcheck import ShellCheckRunner

    return ShellCheckRunner.discover()


def lint_sources(sources: list[SourceFile], config: LintConfig, checker: ScriptChecker | None) -> list[LintResult]:
    """`lint_files`, with a file that is not text reported as one DL1000 finding instead of its bytes parsed."""
    linted = iter(lint_files([source for source in sources if is_text(source.text)], config, checker))
    return [next(linted) if is_text(source.text) else not_text_result(source.path) for source in sources]


def not_text_result(path: str) -> LintResult:
    return LintResult(path, parse(""), [Finding(PARSE_ERROR_CODE, Severity.ERROR, NOT_TEXT, Span(0, 0, 1, 1, 1, 1))])


def note_empty(sources: list[SourceFile]) -> None:
    """hadolint passes an empty file in silence; codi says that it had nothing to check."""
    for source in sources:
        if not source.text.strip():
            print(f"codi: {source.path}: empty file, nothing to check", file=sys.stderr)


def run_lint(args: argparse.Namespace, config: LintConfig) -> list[LintResult]:
    context = context_listing(Path(args.context)) if getattr(args, "context", None) else None
    sources = [SourceFile(str(path), read_dockerfile(path), context) for path in dockerfiles(args.paths)]
    note_empty(sources)
    return lint_sources(sources, config, script_checker(config))


def exit_status(results: list[LintResult], config: LintConfig) -> int:
    """1 when a finding reaches the failure threshold (see `LintConfig.fails`), else 0."""
    return 1 if config.fails(f for r in results for f in r.findings) else 0


def cmd_analyze(args: argparse.Namespace) -> int:
    config = load_config(args)
    results = run_lint(args, config)
    if args.format == "tty":
        from codi.reports.tty import print_results

        print_results(results, sys.stdout)
    else:
        from codi.reports import render

        sys.stdout.write(render(args.format, results))
    return exit_status(results, config)


def cmd_fix(args: argparse.Namespace) -> int:
    """Apply the safe fixes (with --unsafe the others too) until nothing changes; each file on its own.

    Exit status as `analyze` gives on what is left after fixing (or would be, with --diff), or 2 when a file
    could not be read or written: the others are fixed all the same.
    """
    config = load_config(args)
    checker = script_checker(config)
    changed = 0
    failed = False
    remaining: list[SourceFile] = []
    for path in dockerfiles(args.paths):
        try:
            original = read_dockerfile(path)
        except UnreadableFile as error:
            print(f"codi: {error}", file=sys.stderr)
            failed = True
            continue
        if not is_text(original):
            print(f"codi: {path}: {NOT_TEXT}; left as it is", file=sys.stderr)
            remaining.append(SourceFile(str(path), original))
            continue
        text = fix_text(original, config, checker, unsafe=args.unsafe)
        remaining.append(SourceFile(str(path), text))
        if str(path) == STDIN and not args.diff:
            sys.stdout.write(text)
            continue
        if text == original:
            continue
        changed += 1
        if args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    original.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile=f"a/{path}",
                    tofile=f"b/{path}",
                )
            )
            continue
        try:
            write_text(path, text)
        except OSError as error:
            print(f"codi: cannot write {path}: {error.strerror or error}; left as it was", file=sys.stderr)
            failed = True
            continue
        print(f"fixed {path}", file=sys.stderr)
    if not args.diff:
        print(f"{changed} file(s) fixed", file=sys.stderr)
    if failed:
        return 2
    return exit_status(lint_sources(remaining, config, checker), config)


def cmd_rules(args: argparse.Namespace) -> int:
    """List the rules, or print the rule reference page built from their docstrings."""
    from codi.reports.rule_docs import reference_page, rule_table
    from codi.rules import all_rules

    sys.stdout.write(reference_page(all_rules()) if args.markdown else rule_table(all_rules()))
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """The PR pipeline on a local repository: the diff base...head stands for the pull request.

    The config comes from the base ref's root, as the App reads it: a change cannot switch its own checks off.
    """
    from pathlib import PurePosixPath

    from codi.adapters.git import GitError, LocalGitRepository
    from codi.cli.discover import is_dockerfile_name
    from codi.comments.candidates import candidate_sections, optimize_files
    from codi.cli.runs import record_review
    from codi.comments.check_run import check_run_report
    from codi.comments.preview import preview_json, preview_markdown
    from codi.comments.review import review_comments
    from codi.comments.summary import summary_comment
    from codi.pipeline.review import review_files
    from codi.storage.runs import RunRecorder

    recorder = RunRecorder("review", local_path=str(Path(args.path).resolve()))
    try:
        repo = LocalGitRepository(Path(args.path))
        config = first_config(((name, repo.read_file(args.base, name)) for name in CONFIG_NAMES), f" at {args.base}")
        files = repo.changed_files(args.base, args.head, lambda path: is_dockerfile_name(PurePosixPath(path).name))
        head_sha = repo.resolve(args.head)
    except GitError as error:
        print(f"codi: {error}", file=sys.stderr)
        return 2
    if args.no_shellcheck:
        config = replace(config, shellcheck=False)
    with recorder.stage("lint"):
        reviews = review_files(files, config, recorder.timed_checker(script_checker(config)))
    report = check_run_report(reviews, config)
    render = preview_json if args.format == "json" else preview_markdown
    with recorder.stage("optimise"):
        optimized = optimize_files([(file.path, file.text) for file in files])
    sections = candidate_sections(optimized)
    with recorder.stage("post"):
        sys.stdout.write(render(report, review_comments(reviews), summary_comment(reviews, head_sha, sections)))
    record_review(recorder, head_sha, files, reviews, optimized, report.conclusion)
    return 1 if report.conclusion == "failure" else 0


MAX_CONTEXT_TEXT_FILES = 5_000
MAX_CONTEXT_FILE_BYTES = 256 * 1024
MAX_CONTEXT_TEXT_BYTES = 16 * 1024 * 1024
_SKIPPED_CONTEXT_DIRS = frozenset({".git", "node_modules", "__pycache__", ".venv", "target"})


def context_texts(directory: Path) -> dict[str, str]:
    """A build context for the optimiser: relative path → text, bounded in count and size.

    Small UTF-8 files come with their text (manifests, scripts the start command runs); larger or
    binary ones, and those past the total, with "" (their names still tell the stack). `.git`,
    `node_modules` and similar directories are not read.
    """
    files: dict[str, str] = {}
    total = 0
    for root, dirs, names in os.walk(directory):
        dirs[:] = sorted(name for name in dirs if name not in _SKIPPED_CONTEXT_DIRS)
        for name in sorted(names):
            path = Path(root, name)
            relative = path.relative_to(directory).as_posix()
            text = ""
            size = path.stat().st_size if path.is_file() else MAX_CONTEXT_FILE_BYTES + 1
            if size <= MAX_CONTEXT_FILE_BYTES and total + size <= MAX_CONTEXT_TEXT_BYTES:
                try:
                    text = path.read_bytes().decode("utf-8")
                    total += size
                except (OSError, UnicodeDecodeError):
                    text = ""
            files[relative] = text
            if len(files) >= MAX_CONTEXT_TEXT_FILES:
                return files
    return files


def cmd_optimize(args: argparse.Namespace) -> int:
    """Candidates for one Dockerfile: printed as a diff, JSON or Markdown; written to --out when given."""
    from codi.comments.candidates import (
        OptimizedFile,
        candidate_sections,
        optimize_json,
        rationale_file,
        sections_markdown,
    )
    from codi.cli.runs import record_optimize
    from codi.pipeline.optimize.optimizer import optimize
    from codi.storage.runs import RunRecorder

    path = Path(args.dockerfile)
    recorder = RunRecorder("optimize", local_path=str(path.resolve()))
    text = read_text_dockerfile(path)
    result = optimize(str(path), text, context_texts(Path(args.context) if args.context else path.parent))
    recorder.lap("optimise")
    if args.build:
        return _optimize_build(args, path, text, result, recorder)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for candidate in result.candidates:
            write_text(out / f"Dockerfile.{candidate.strategy}", candidate.dockerfile)
        write_text(out / "rationale.md", rationale_file(result))
    if args.format == "json":
        sys.stdout.write(optimize_json(result))
    elif args.format == "md":
        sys.stdout.write(sections_markdown(candidate_sections([OptimizedFile(text, result)])))
    else:
        print_candidates(result, text)
    recorder.lap("post")
    record_optimize(recorder, path, text, result)
    return 0


def _optimize_build(
    args: argparse.Namespace, path: Path, text: str, result: OptimizeResult, recorder: RunRecorder
) -> int:
    """`--build`: measured images as a table or JSON; exit 1 when the original itself fails to build."""
    from codi.cli.measure import BuildUnavailable, engine_platform, measure_result, print_reports, reports_json
    from codi.cli.runs import record_optimize

    context = Path(args.context) if args.context else path.parent
    try:
        reports = measure_result(text, result, context, args.platform, context_smoke_settings(context), args.network)
    except BuildUnavailable as error:
        print(f"codi: {error}", file=sys.stderr)
        recorder.lap("build")
        record_optimize(recorder, path, text, result, network=args.network, error=str(error))
        return 2
    recorder.lap("build")
    if args.format == "json":
        sys.stdout.write(reports_json(str(path), args.platform or engine_platform(), reports))
    else:
        print_reports(reports)
    recorder.lap("post")
    record_optimize(recorder, path, text, result, reports, network=args.network)
    return 1 if reports[0].status == "fail" else 0


def print_candidates(result: OptimizeResult, original: str) -> None:
    """Each candidate's rationale, estimate and a coloured unified diff; then what was rejected or skipped."""
    from rich.console import Console
    from rich.syntax import Syntax

    from codi.comments.candidates import candidate_diff, estimate_text

    console = Console(file=sys.stdout, soft_wrap=True, highlight=False, emoji=False, markup=False)
    stack = result.stack
    console.print(f"{result.path}: {stack.stack} (confidence {stack.confidence:.2f})", style="bold")
    for candidate in result.candidates:
        console.rule(f"{candidate.strategy} candidate ({candidate.identity})")
        for change in candidate.changes:
            console.print(f"  {change.kind}: {change.description}")
        console.print(f"  {estimate_text(candidate.estimate)}", style="cyan")
        console.print(Syntax(candidate_diff(result.path, original, candidate), "diff", theme="ansi_dark"))
    for title, items in (("rejected", result.rejected), ("not attempted", result.skipped)):
        for item in items:
            console.print(f"{title}: {item.strategy}: {item.reason}", style="yellow")
    if not result.candidates:
        console.print(f"no candidate because {result.no_candidate_reason}", style="yellow")


def _cmd_llm(args: argparse.Namespace) -> int:
    from codi.cli.llm import cmd_llm

    return cmd_llm(args)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the webhook receiver under uvicorn; a bad CODI_* setting stops it before it listens."""
    from codi.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"codi: {error}", file=sys.stderr)
        return 2
    import uvicorn

    from codi.app import create_app
    from codi.logs import configure_logging

    configure_logging([settings.webhook_secret], "%(levelname)s:     %(name)s: %(message)s")
    # codi logs one line per delivery with its outcome; uvicorn's access log would only repeat it.
    # log_config=None: uvicorn's loggers write through the root's (redacting) handler, not handlers of their own.
    uvicorn.run(create_app(settings), host=args.host, port=args.port, access_log=False, log_config=None)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run an arq worker for codi's jobs; a bad CODI_* setting stops it before it connects."""
    from codi.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"codi: {error}", file=sys.stderr)
        return 2
    from codi.worker.settings import run_build_workers, run_worker

    if args.platform:
        run_build_workers(settings, args.platform)
    else:
        run_worker(settings, args.queue, args.metrics_port)
    return 0


FORMAT_HELP = "output format (default %(default)s)"
CONTEXT_HELP = "build context directory"
BUILD_HELP = "build, smoke-test, measure and scan the original and the candidates on the engine in DOCKER_HOST"
OPTIMIZE_CONTEXT_HELP = f"{CONTEXT_HELP}: its manifests and scripts are read (default: the Dockerfile's folder)"
NO_SHELLCHECK_HELP = "do not run ShellCheck on RUN scripts"
SEVERITIES = ["error", "warning", "info", "style", "ignore", "none"]


BAD_INPUT = "2  bad input: an unreadable file, a missing or invalid config file, ShellCheck not installed"


def _lint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", help="Dockerfiles or directories to search; - reads standard input")
    parser.add_argument("--config", help="config file (.codi.yml or .hadolint.yaml); default: nearest one")
    parser.add_argument("--ignore", action="append", metavar="CODE", help="rule code to ignore (repeatable)")
    parser.add_argument(
        "--trusted-registry", action="append", metavar="REGISTRY", help="a registry DL3026 accepts (repeatable)"
    )
    parser.add_argument("--no-shellcheck", action="store_true", help=NO_SHELLCHECK_HELP)
    parser.add_argument(
        "--failure-threshold", choices=SEVERITIES, help="lowest severity that fails (default: the config's, else info)"
    )
    parser.add_argument("--no-fail", action="store_true", help="exit 0 whatever is found")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codi", description="Review, fix and optimise Dockerfiles.")
    parser.add_argument("--version", action="version", version=f"codi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    analyze = sub.add_parser(
        "analyze",
        help="lint Dockerfiles",
        **exit_codes(
            "0  no finding at or above the failure threshold (or --no-fail); an empty file passes",
            "1  a finding at or above it (a file that is not text is one DL1000 error), or a directory named holds "
            "no Dockerfile",
            BAD_INPUT,
        ),
    )
    _lint_options(analyze)
    analyze.add_argument("-f", "--format", default="tty", choices=LINT_FORMATS, help=FORMAT_HELP)
    analyze.add_argument("--context", help=f"{CONTEXT_HELP} (enables the context checks; default: none)")
    analyze.set_defaults(handler=cmd_analyze)

    fix = sub.add_parser(
        "fix",
        help="apply fixes to Dockerfiles",
        **exit_codes(
            "0  no finding left at or above the failure threshold after fixing (or --no-fail)",
            "1  findings at or above it are left (--unsafe or a hand must fix them), or a directory named holds no "
            "Dockerfile",
            "2  a file could not be read or written (left as it was; the others are fixed), a missing or invalid "
            "config file, ShellCheck not installed",
        ),
    )
    _lint_options(fix)
    fix.add_argument("--unsafe", action="store_true", help="also apply unsafe fixes")
    fix.add_argument(
        "--diff", action="store_true", help="print a unified diff instead of writing files (- is printed fixed)"
    )
    fix.set_defaults(handler=cmd_fix)

    rules = sub.add_parser("rules", help="list the rules", **exit_codes("0  always"))
    rules.add_argument("--markdown", action="store_true", help="print the rule reference page (docs/rules.md)")
    rules.set_defaults(handler=cmd_rules)

    review = sub.add_parser(
        "review",
        help="print what codi would post on a pull request (local git refs)",
        **exit_codes(
            "0  the check run would succeed (or be neutral: no Dockerfile changed)",
            "1  it would fail: a finding at or above the base config's failure threshold",
            "2  no git repository, an unknown ref, an invalid config at the base, ShellCheck not installed",
        ),
    )
    review.add_argument("path", help="a git repository (any directory inside it)")
    review.add_argument("--base", required=True, help="the pull request's base ref (its config is used)")
    review.add_argument("--head", default="HEAD", help="the pull request's head ref (default HEAD)")
    review.add_argument("-f", "--format", default="md", choices=["md", "json"], help=FORMAT_HELP)
    review.add_argument("--no-shellcheck", action="store_true", help=NO_SHELLCHECK_HELP)
    review.set_defaults(handler=cmd_review)

    optimize = sub.add_parser(
        "optimize",
        help="propose optimised Dockerfiles (fixes, multi-stage, minimal)",
        **exit_codes(
            "0  the candidates (or that there is none, and why) were printed; with --build: the original built",
            "1  with --build: the original failed to build or its smoke test",
            "2  the Dockerfile cannot be read or is not text; --build cannot start (DOCKER_HOST unset or "
            "unreachable, another platform)",
        ),
    )
    optimize.add_argument("dockerfile", help="the Dockerfile to optimise")
    optimize.add_argument("--context", help=OPTIMIZE_CONTEXT_HELP)
    optimize.add_argument("--out", help="where to write (Dockerfile.<strategy> and rationale.md, into this directory)")
    optimize.add_argument("-f", "--format", default="tty", choices=["tty", "json", "md"], help=FORMAT_HELP)
    optimize.add_argument("--build", action="store_true", help=BUILD_HELP)
    optimize.add_argument("--platform", help="platform to build for (default: the engine's own, e.g. linux/amd64)")
    add_network_option(optimize)
    optimize.set_defaults(handler=cmd_optimize)

    llm = sub.add_parser(
        "llm",
        help="rank and explain a Dockerfile's candidates with the local model",
        **exit_codes(
            "0  ranked or explained (the deterministic order when the model's answer is not used)",
            "2  the Dockerfile cannot be read or is not text, the model file is missing or cannot be loaded, --build "
            "cannot start",
        ),
    )
    llm.add_argument(
        "action", choices=["rank", "explain"], help="rank: the order and scores; explain: the model's words"
    )
    llm.add_argument("dockerfile", help="the Dockerfile whose candidates are ranked")
    llm.add_argument("--context", help=OPTIMIZE_CONTEXT_HELP)
    llm.add_argument("--build", action="store_true", help=f"{BUILD_HELP}: rank on what was measured, not estimates")
    llm.add_argument("--model", help="GGUF model file (default: CODI_LLM_MODEL_PATH, else the bundled SmolLM2)")
    llm.add_argument("--no-model", action="store_true", help="the deterministic scorer alone")
    llm.add_argument("--timeout", type=float, default=30.0, help="seconds the model may take (default 30)")
    llm.add_argument("-f", "--format", default="tty", choices=["tty", "json"], help=FORMAT_HELP)
    add_network_option(llm)
    llm.set_defaults(handler=_cmd_llm)

    service_exit = exit_codes("0  stopped (SIGINT or SIGTERM)", "2  a missing or invalid CODI_* setting: nothing ran")
    serve = sub.add_parser(
        "serve", help="run the GitHub App's webhook receiver (settings from CODI_* variables)", **service_exit
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000; 0 picks a free one)")
    serve.set_defaults(handler=cmd_serve)

    worker = sub.add_parser(
        "worker", help="run a worker for the GitHub App's jobs (settings from CODI_* variables)", **service_exit
    )
    worker.add_argument("--queue", default="arq:queue", help="arq queue to take jobs from (default arq:queue)")
    worker.add_argument("--metrics-port", type=int, help="serve the worker's Prometheus metrics on this port")
    worker.add_argument(
        "--platform",
        action="append",
        choices=PLATFORMS,
        help="platform to build for: be a build worker serving its queue (codi:build:PLATFORM); repeat for several",
    )
    worker.set_defaults(handler=cmd_worker)

    add_redeliver_parser(sub)
    add_runs_parser(sub)
    add_report_parser(sub)
    add_dashboard_parser(sub)
    add_action_parser(sub)
    add_perf_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from codi.adapters.shellcheck import ShellCheckNotFound
    from codi.pipeline.configfile import ConfigError

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ConfigError, ShellCheckNotFound, UnreadableFile) as error:
        print(f"codi: {error}", file=sys.stderr)
        return 2
    except NoDockerfile as error:
        print(f"codi: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
