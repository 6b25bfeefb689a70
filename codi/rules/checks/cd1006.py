"""CD1006: a credential written into an ARG or ENV value."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import key_values
from codi.rules.base import LintContext, Rule
from codi.rules.secrets import find_tokens, is_literal_secret, is_secret_name


class SecretInArgEnv(Rule):
    """## What it does
    Checks `ARG` and `ENV` values for credentials: tokens of a known format
    (AWS `AKIA…`, GitHub `ghp_…`/`github_pat_…`, GitLab, Slack `xox…`, Stripe,
    npm, PyPI, OpenAI, JWTs), private key headers, passwords in URLs
    (`postgres://user:pw@db`) or inline (`-Dpassword=…`), and a literal value
    given to a variable named like a credential (`DB_PASSWORD=hunter2`).

    ## Why is this bad?
    The value is in the Dockerfile, in version control, and in the image
    metadata (`docker history`, `docker inspect`) for anyone who can pull it.
    Treat it as leaked: revoke it.

    ## Example
    ```dockerfile
    ENV GITHUB_TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyz
    ```

    ## Use instead
    ```dockerfile
    RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN ./fetch-deps.sh
    ```

    ## Fix safety
    No fix: the secret must be revoked and supplied another way.

    DL3064 judges the names only; this rule reports values. References to
    other variables (`$TOKEN`), paths and placeholders (`changeme`, `xxx`)
    are not reported. Also checked inside `ONBUILD`.

    ## References
    - Trivy AVD-DS-0031
    - Checkov CKV_DOCKER_1005 (SecretsInEnvArg)
    """

    code = "CD1006"
    severity = Severity.ERROR
    message = "Secret in an `ARG`/`ENV` value"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("ARG", "ENV", onbuild=True):
            kinds: list[str] = []
            for pair in key_values(instr):
                if pair.value is None:
                    continue
                kinds.extend(match.kind for match in find_tokens(pair.value))
                if not kinds and is_secret_name(pair.key) and is_literal_secret(pair.value):
                    kinds.append(f"literal value of `{pair.key}`")
            if kinds:
                yield self.finding(instr, f"{self.message}: {kinds[0]}")
