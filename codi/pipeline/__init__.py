"""The pure core: parse, model, lint and fix Dockerfiles. No I/O."""
