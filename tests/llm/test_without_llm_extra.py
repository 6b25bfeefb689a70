"""codi without its `llm` extra: every command imports and runs, and ranking falls back to the scorer, saying so.

The dev venv has llama-cpp-python (scripts/setup installs `.[dev,llm]`), so each case runs codi in a child
Python whose import system refuses `llama_cpp`, as an install without the extra would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from codi.llm import bundled_model_path
from tests.llm.test_cli import dockerfile  # noqa: F401  (fixture)

WITHOUT_LLAMA_CPP = """
import sys

class RefuseLlamaCpp:
    def find_spec(self, name, path=None, target=None):
        if name == "llama_cpp" or name.startswith("llama_cpp."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, RefuseLlamaCpp())
"""


def run_without_extra(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_LLAMA_CPP + code, *args], capture_output=True, text=True, timeout=120
    )


def run_codi_without_extra(*args: str) -> subprocess.CompletedProcess[str]:
    return run_without_extra("from codi.cli.main import main\nsys.exit(main(sys.argv[1:]))", *args)


def test_the_refusal_is_what_a_missing_package_gives() -> None:
    child = run_without_extra("import llama_cpp")
    assert child.returncode == 1 and "ModuleNotFoundError: No module named 'llama_cpp'" in child.stderr


def test_serve_worker_and_every_cli_module_import_without_llama_cpp() -> None:
    modules = ["codi.cli.main", "codi.cli.llm", "codi.app", "codi.worker.jobs", "codi.llm", "codi.llm.ranking"]
    code = "import importlib\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "assert not [m for m in sys.modules if m.startswith('llama_cpp')], 'llama_cpp was imported'\n"
    child = run_without_extra(code)
    assert child.returncode == 0, child.stderr


def test_analyze_and_optimize_run_without_llama_cpp(dockerfile: Path) -> None:  # noqa: F811  (fixture)
    analyzed = run_codi_without_extra("analyze", "-f", "json", "--no-fail", str(dockerfile))
    assert analyzed.returncode == 0, analyzed.stderr
    assert any(finding["code"] == "DL3025" for finding in json.loads(analyzed.stdout))
    optimized = run_codi_without_extra("optimize", str(dockerfile))
    assert optimized.returncode == 0, optimized.stderr
    assert "multi-stage" in optimized.stdout


def test_ranking_with_a_model_asked_for_falls_back_to_the_scorer_with_a_warning(
    dockerfile: Path,  # noqa: F811  (fixture)
) -> None:
    model = str(bundled_model_path())
    child = run_codi_without_extra("llm", "rank", "--format", "json", "--model", model, str(dockerfile))
    assert child.returncode == 0, child.stderr
    document = json.loads(child.stdout)
    assert document["source"] == "deterministic" and document["telemetry"] is None
    assert document["order"] == document["deterministic_order"] and document["order"]
    assert "llama-cpp-python is not installed" in child.stderr
    assert "install codi[llm] to rank with a model: ranking uses the deterministic scorer alone" in child.stderr


def test_the_workers_shared_model_is_none_with_one_warning_when_the_extra_is_missing() -> None:
    code = (
        "import logging\nfrom pathlib import Path\nfrom codi.llm import load_model\n"
        "logging.basicConfig(format='%(levelname)s %(name)s %(message)s')\n"
        "print(load_model(Path(sys.argv[1]), shared=True, n_ctx=2048))\n"
    )
    child = run_without_extra(code, str(bundled_model_path()))
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "None"
    warnings = [line for line in child.stderr.splitlines() if line.startswith("WARNING codi.llm.engine")]
    assert len(warnings) == 1 and "ranking uses the deterministic scorer alone" in warnings[0]
