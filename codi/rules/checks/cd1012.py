"""CD1012: cloud credentials given on a RUN command line without a secret mount."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.shell import Command
from codi.rules.base import LintContext, Rule

_AWS_CREDENTIAL_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
"""`aws configure set` keys that hold credentials, also with a profile (`profile.ci.aws_secret_access_key`)."""
_VALUE_FLAGS: dict[str, tuple[str, ...]] = {
    "aws": ("profile", "region", "output", "endpoint-url", "ca-bundle", "query", "color"),
    "gcloud": ("project", "account", "configuration", "verbosity", "format", "key-file"),
    "az": ("username", "u", "tenant", "t", "password", "p", "federated-token", "output", "o", "query"),
    "doctl": ("context", "config", "c", "output", "o", "api-url", "access-token", "t"),
}
"""Options of each CLI that take the next word as their value, so it is not read as a subcommand."""


class CloudCredentialsInRun(Rule):
    """## What it does
    Checks `RUN` for cloud CLIs logging in with credentials written on the
    command line: `aws configure set` of `aws_access_key_id`,
    `aws_secret_access_key` or `aws_session_token`, `gcloud auth
    activate-service-account` (its
    `--key-file` is a service-account key in the build), `az login` with
    `-p`/`--password`/`--federated-token`, and `doctl auth init` with
    `-t`/`--access-token`. A `RUN` with a secret mount
    (`--mount=type=secret`) is not reported: the credential then comes from
    the mount, not from the Dockerfile or a build argument.

    ## Why is this bad?
    The command line, with the key or the `$ARG` that carries it, is stored in
    the image history (`docker history --no-trunc`), and the CLI writes the
    credential into its configuration (`~/.aws/credentials`,
    `~/.config/gcloud`, `~/.azure`) inside the layer: anyone who can pull the
    image can use the account.

    ## Example
    ```dockerfile
    ARG AWS_SECRET_ACCESS_KEY
    RUN aws configure set aws_secret_access_key "$AWS_SECRET_ACCESS_KEY" \\
        && aws s3 cp s3://bucket/model.bin /models/
    ```

    ## Use instead
    ```dockerfile
    RUN --mount=type=secret,id=aws,target=/root/.aws/credentials \\
        aws s3 cp s3://bucket/model.bin /models/
    ```

    ## Fix safety
    No fix: the credential has to reach the build another way (`docker build
    --secret`), and whoever builds the image has to pass it.

    Only the commands named above are recognised; a CLI called through
    `sudo` or a wrapper script is not. CD1006 finds literal tokens in values,
    DL3064 credential-like `ARG`/`ENV` names.

    ## References
    - Trivy AVD-DS-0031 (credentials set up in `RUN`)
    - https://docs.docker.com/build/building/secrets/
    """

    code = "CD1012"
    severity = Severity.ERROR
    message = "Cloud credentials given on a `RUN` command line without a secret mount"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("RUN", onbuild=True):
            if any(mount.type == "secret" for mount in instr.mounts):
                continue
            logins = [login for cmd in ctx.shell(instr).commands if (login := credential_login(cmd)) is not None]
            if logins:
                yield self.finding(instr, f"{self.message}: `{logins[0]}`")


def credential_login(cmd: Command) -> str | None:
    """The cloud CLI login `cmd` makes with a credential of its own arguments, in short (None if none)."""
    program = cmd.name.rsplit("/", 1)[-1]
    if program not in _VALUE_FLAGS:
        return None
    values = tuple(word.value for word in cmd.operands(_VALUE_FLAGS[program]))
    if program == "aws" and values[:2] == ("configure", "set") and len(values) > 2:
        key = values[2].lower().rsplit(".", 1)[-1]
        return f"aws configure set {key}" if key in _AWS_CREDENTIAL_KEYS else None
    if program == "gcloud" and values[:2] == ("auth", "activate-service-account"):
        return "gcloud auth activate-service-account"
    if program == "az" and values[:1] == ("login",) and cmd.has_any_flag("p", "password", "federated-token"):
        return "az login --password"
    if program == "doctl" and values[:2] == ("auth", "init") and cmd.has_any_flag("t", "access-token"):
        return "doctl auth init --access-token"
    return None
