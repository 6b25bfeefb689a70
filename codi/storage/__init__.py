"""codi's database edge: build evidence and ranking runs (sqlmodel; SQLite by default, PostgreSQL by URL).

An I/O layer beside the pure core: `codi.pipeline`, `codi.rules` and `codi.modules`
never import it; the build runner and the workers do.
"""
