"""What made a run: a light module, so the CLI's parser can offer the kinds without importing the store."""

from typing import Literal

RunKind = Literal["optimize", "review", "action", "app", "apply"]
"""`codi optimize`, `codi review`, `codi action`, the App's review, the App's `/codi apply`."""
