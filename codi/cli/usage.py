"""What every command's --help ends with: its exit statuses."""

from __future__ import annotations

import argparse
from typing import Any


def exit_codes(*codes: str) -> dict[str, Any]:
    """`add_parser` arguments that end a command's --help with its exit statuses, one per line ("0  …")."""
    return {
        "epilog": "exit status:\n" + "\n".join(f"  {code}" for code in codes),
        "formatter_class": argparse.RawDescriptionHelpFormatter,
    }
