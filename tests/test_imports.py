"""Every package of codi imports on its own, first, in a fresh interpreter: an import cycle between two
packages (codi.modules ↔ codi.pipeline.optimize once) passes the suite whenever another test happened to
import the other side first, and fails a user's `import` (or one test file run alone)."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import codi

ROOT = Path(__file__).resolve().parents[1]


def test_every_codi_package_imports_first_in_a_fresh_interpreter() -> None:
    packages = sorted(
        name for _, name, is_package in pkgutil.walk_packages(codi.__path__, "codi.") if is_package
    )
    assert "codi.modules" in packages and "codi.pipeline.optimize" in packages
    script = (
        "import importlib, subprocess, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    done = subprocess.run([sys.executable, '-c', f'import {name}'], capture_output=True, text=True)\n"
        "    if done.returncode:\n"
        "        failed.append(f'{name}: {done.stderr.strip().splitlines()[-1]}')\n"
        "print('\\n'.join(failed))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, *packages], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"packages that fail to import first:\n{done.stdout}"
