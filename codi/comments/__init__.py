"""What codi posts on GitHub, rendered from reviewed files: text in, data out.

- `review`: the PR review's comments, one per finding on a changed line, with ```suggestion blocks.
- `check_run`: the "codi" check run's conclusion, summary and annotations (every finding).
- `summary`: the one summary comment per PR, edited in place.
- `commands`: `/codi …` commands in PR comments and codi's replies to them.
- `fingerprints`: the hidden marker that ties a comment to its finding across pushes.

Nothing here talks to GitHub: the worker sends what these functions return.
"""
