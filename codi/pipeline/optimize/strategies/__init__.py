"""Strategies: each turns an original Dockerfile into candidates of one kind, or says why not."""
