"""`codi worker`: a bad CODI_* setting stops it before it connects, naming the variable (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_missing_settings_exit_2_naming_the_variables(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODI_")}
    env["CODI_GITHUB_PRIVATE_KEY_PATH"] = str(tmp_path / "absent.pem")
    done = subprocess.run(
        [sys.executable, "-m", "codi", "worker"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "CODI_WEBHOOK_SECRET is required" in done.stderr
    assert "CODI_GITHUB_PRIVATE_KEY_PATH" in done.stderr and "absent.pem" in done.stderr
