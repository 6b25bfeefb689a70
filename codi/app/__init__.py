"""The webhook receiver service (`codi serve`)."""

from codi.app.server import create_app

__all__ = ["create_app"]
