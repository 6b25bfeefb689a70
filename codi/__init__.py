"""codi: reviews, fixes and measures Dockerfiles."""

__version__ = "0.1.0"
