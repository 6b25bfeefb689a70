"""CD1007: COPY/ADD of a secret file into the image."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.rules.base import LintContext, Rule
from codi.rules.secrets import is_public_key_destination, secret_file_kind

_URL_PREFIXES = ("http://", "https://", "git@", "git://")


class CopySecretFile(Rule):
    """## What it does
    Checks `COPY` and `ADD` sources for files that hold credentials: SSH
    private keys (`id_rsa`, `id_ed25519`, …), `.env` files, `.npmrc`,
    `.pypirc`, `.netrc`, `.git-credentials`, `.aws/credentials`,
    `.docker/config.json`, `.kube/config`, service-account JSON and key files
    (`*.key`, `*.pem`, `*.p12`, `*.pfx`, `*.jks`) unless the name or the
    destination says public key or certificate (`ca.pem`, `fullchain.pem`,
    `yarn-pubkey.gpg.key`, a copy to `/usr/share/keyrings/` or to `x.pub`).

    ## Why is this bad?
    A copied file stays in its layer for good, even if a later `RUN rm`
    deletes it: anyone who pulls the image can extract it.

    ## Example
    ```dockerfile
    COPY .npmrc package.json ./
    RUN npm ci
    ```

    ## Use instead
    ```dockerfile
    COPY package.json ./
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    ```

    ## Fix safety
    No fix: the build has to get the file through a secret mount instead.

    Judged on the names written in the instruction (globs included); an
    `.npmrc` may hold only a registry, but it is where npm tokens live, so it
    is reported. `.env.example` and other templates pass.

    ## References
    - Trivy AVD-DS-0031
    - Checkov CKV_DOCKER_1005 family (secrets in the image)
    """

    code = "CD1007"
    severity = Severity.WARNING
    message = "Do not copy secret files into the image"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("COPY", "ADD", onbuild=True):
            paths = _paths(instr)
            if len(paths) < 2:
                continue
            *sources, destination = paths
            for source in sources:
                kind = None if source.startswith(_URL_PREFIXES) else secret_file_kind(source)
                if kind is None or (kind.startswith("key file") and is_public_key_destination(destination)):
                    continue
                yield self.finding(instr, f"{self.message}: {kind}")
                break


def _paths(instr: Instruction) -> list[str]:
    """Sources then destination of a COPY/ADD (heredoc markers are not files)."""
    if instr.exec_form is not None:
        return list(instr.exec_form)
    return [word.value for word in instr.words if not word.raw.lstrip("0123456789").startswith("<<")]
