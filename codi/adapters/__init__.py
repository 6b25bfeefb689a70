"""I/O edges: external programs and services the pure core talks to through protocols."""
