"""DL3064: sensitive-looking names in ARG or ENV."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import key_values
from codi.rules.base import LintContext, Rule

# Names of well-known credentials (compared upper-cased), after hadolint's list.
_SENSITIVE_NAMES = frozenset(
    {
        "ACCESS_TOKEN", "APPLICATION_KEY", "APP_SECRET", "AUTH_TOKEN", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY", "BITTREX_API_KEY", "BITTREX_API_SECRET", "CF_PASSWORD",
        "CF_USERNAME", "CIRCLE_TOKEN", "CI_DEPLOY_PASSWORD", "CI_DEPLOY_USER", "DOCKERHUB_PASSWORD",
        "DOCKER_EMAIL", "DOCKER_PASSWORD", "DOCKER_USERNAME", "FACEBOOK_ACCESS_TOKEN",
        "FACEBOOK_APP_ID", "FACEBOOK_APP_SECRET", "FIREBASE_API_TOKEN", "FIREBASE_TOKEN",
        "FOSSA_API_KEY", "GH_ENTERPRISE_TOKEN", "GH_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GITHUB_TOKEN",
        "HEROKU_API_KEY", "HEROKU_API_USER", "NPM_AUTH_TOKEN", "NPM_TOKEN", "OKTA_AUTHN_GROUPID",
        "OKTA_CLIENT_ORGURL", "OKTA_CLIENT_TOKEN", "OKTA_OAUTH2_CLIENTID", "OKTA_OAUTH2_CLIENTSECRET",
        "OPENAI_API_KEY", "OS_PASSWORD", "OS_USERNAME", "POSTGRES_PASSWORD", "SLACK_TOKEN",
        "STRIPE_API_KEY", "STRIPE_DEVICE_NAME", "TRAVIS_OS_NAME", "TRAVIS_SECURE_ENV_VARS",
        "TRAVIS_SUDO", "VAULT_CLIENT_KEY", "VAULT_TOKEN",
    }
)
# Parts of a name (compared lower-cased) that suggest a credential.
_SUSPICIOUS_PARTS = ("api_key", "client_key", "password", "private", "secret", "token", "username")


class SensitiveArgEnvName(Rule):
    """## What it does
    Checks `ARG` and `ENV` names that look like credentials: well-known ones
    (`AWS_SECRET_ACCESS_KEY`, `GITHUB_TOKEN`, …), also behind a prefix
    (`VITE_AWS_ACCESS_KEY_ID`, `REACT_APP_FACEBOOK_APP_ID`: bundlers publish
    `VITE_`/`REACT_APP_` variables to the browser, as Trivy DS-0031 knows), and
    any name containing `password`, `secret`, `token`, `private`, `api_key`,
    `client_key` or `username`, whatever the case. As in hadolint these are
    substrings, so `TOKEN_URL` counts too (Trivy and BuildKit's
    `SecretsUsedInArgOrEnv` flag it as well, `token` being a word of it).

    ## Why is this bad?
    ARG and ENV values are stored in the image: `docker history` shows build
    arguments and `docker inspect` shows the environment, to anyone who can
    pull the image.

    ## Example
    ```dockerfile
    ARG NPM_TOKEN
    RUN npm ci
    ```

    ## Use instead
    ```dockerfile
    RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
    ```

    ## Fix safety
    No fix: moving a value to a secret mount changes how the build is invoked.

    This rule judges names only; CD1006 finds real tokens in the values. Also
    checked inside `ONBUILD`.

    ## References
    - hadolint DL3064
    - Trivy AVD-DS-0031
    """

    code = "DL3064"
    severity = Severity.WARNING
    message = "Potentially sensitive data should not be used in the `ARG` or `ENV` commands"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("ARG", "ENV", onbuild=True):
            if any(is_sensitive_name(pair.key) for pair in key_values(instr)):
                yield self.finding(instr)


def is_sensitive_name(name: str) -> bool:
    """Whether a variable name looks like it holds a credential."""
    lowered, upper = name.lower(), name.upper()
    if upper in _SENSITIVE_NAMES or any(part in lowered for part in _SUSPICIOUS_PARTS):
        return True
    return any(upper[index + 1 :] in _SENSITIVE_NAMES for index, char in enumerate(upper) if char == "_")
