"""CD1007: COPY/ADD of a secret file into the image."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import expand, key_values
from codi.rules.base import LintContext, Rule
from codi.rules.secrets import SECRET_FILE_VARIABLES, is_public_key_destination, secret_file_kind

_URL_PREFIXES = ("http://", "https://", "git@", "git://")
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_GLOB_CHARS = frozenset("*?[")


class CopySecretFile(Rule):
    """## What it does
    Checks `COPY` and `ADD` sources for files that hold credentials: SSH
    private keys (`id_rsa`, `id_ed25519`, …), `.env` files, `.npmrc`,
    `.pypirc`, `.netrc`, `.git-credentials`, `.aws/credentials`,
    `.docker/config.json`, `.kube/config`, service-account JSON and key files
    (`*.key`, `*.pem`, `*.p12`, `*.pfx`, `*.jks`) unless the name or the
    destination says public key or certificate (`ca.pem`, `fullchain.pem`,
    `yarn-pubkey.gpg.key`, a copy to `/usr/share/keyrings/` or to `x.pub`).

    Also a copy into the file a credential variable names
    (`GOOGLE_APPLICATION_CREDENTIALS`, `AWS_CONFIG_FILE`,
    `AWS_SHARED_CREDENTIALS_FILE`, `KUBECONFIG`, …), whatever the file is
    called: `COPY sa.json $GOOGLE_APPLICATION_CREDENTIALS`, or `COPY . /app`
    with `ENV GOOGLE_APPLICATION_CREDENTIALS=/app/sa.json` in the stage
    (before or after the copy, relative paths taken from `WORKDIR`). A copy
    of other named files into that folder (`COPY app.py /app/`) is not one.

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
    - Trivy AVD-DS-0031 (secret file variables)
    - Checkov CKV_DOCKER_1005 family (secrets in the image)
    """

    code = "CD1007"
    severity = Severity.WARNING
    message = "Do not copy secret files into the image"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        named_by_variable = _copies_to_credential_files(ctx)
        for instr in ctx.instructions("COPY", "ADD", onbuild=True):
            paths = _paths(instr)
            if len(paths) < 2:
                continue
            *sources, destination = paths
            kind = _secret_source(sources, destination) or named_by_variable.get(id(instr))
            if kind is not None:
                yield self.finding(instr, f"{self.message}: {kind}")


def _secret_source(sources: list[str], destination: str) -> str | None:
    """Why the first secret file among `sources` is one (a key copied to a public-key place is not)."""
    for source in sources:
        kind = None if source.startswith(_URL_PREFIXES) else secret_file_kind(source)
        if kind is not None and not (kind.startswith("key file") and is_public_key_destination(destination)):
            return kind
    return None


def _copies_to_credential_files(ctx: LintContext) -> dict[int, str]:
    """What each COPY/ADD that writes the file of a credential variable set in its stage or an
    ancestor (before or after the copy) copies, by the instruction's id."""
    found: dict[int, str] = {}
    workdir_at_end: dict[int, str] = {}
    files_of: dict[int, list[tuple[str, str]]] = {}
    for stage in ctx.model.stages:
        parent = stage.parent
        workdir = workdir_at_end[id(parent)] if parent is not None else "/"
        files = list(files_of[id(parent)]) if parent is not None else []
        copies: list[tuple[Instruction, str]] = []
        for instr in stage.instructions:
            variables = ctx.model.variables_at(instr)
            if instr.keyword == "WORKDIR" and instr.args.strip():
                path = expand(instr.args.strip().strip("\"'"), variables)
                workdir = posixpath.normpath(posixpath.join(workdir, path))
            elif instr.keyword in ("ENV", "ARG"):
                files.extend(
                    (pair.key, posixpath.join(workdir, expand(pair.value, variables)))
                    for pair in key_values(instr)
                    if pair.key.upper() in SECRET_FILE_VARIABLES and pair.value
                )
            elif instr.keyword in ("COPY", "ADD"):
                copies.append((instr, workdir))
        workdir_at_end[id(stage)], files_of[id(stage)] = workdir, files
        for instr, copy_workdir in copies:
            what = _credential_file_copied(ctx, instr, copy_workdir, files)
            if what is not None:
                found[id(instr)] = what
    return found


def _credential_file_copied(
    ctx: LintContext, instr: Instruction, workdir: str, files: list[tuple[str, str]]
) -> str | None:
    paths = _paths(instr)
    if len(paths) < 2:
        return None
    *sources, written = paths
    for name in _VARIABLE.findall(written):
        if name.upper() in SECRET_FILE_VARIABLES:
            return f"the credentials file `${name}`"
    destination = posixpath.normpath(posixpath.join(workdir, expand(written, ctx.model.variables_at(instr))))
    for name, path in files:
        path = posixpath.normpath(path)
        if "$" in path or "$" in destination:
            continue
        inside = path.startswith(destination.rstrip("/") + "/")
        if path == destination or (inside and any(_may_hold(source, posixpath.basename(path)) for source in sources)):
            return f"`{path}`, the credentials file of `{name}`"
    return None


def _may_hold(source: str, file_name: str) -> bool:
    """Whether copying `source` into a folder may bring a file called `file_name` (a folder, a glob, that file)."""
    base = posixpath.basename(source.rstrip("/"))
    return base == file_name or source.endswith("/") or base in ("", ".", "..") or "." not in base or bool(
        _GLOB_CHARS & set(base)
    )


def _paths(instr: Instruction) -> list[str]:
    """Sources then destination of a COPY/ADD (heredoc markers are not files)."""
    if instr.exec_form is not None:
        return list(instr.exec_form)
    return [word.value for word in instr.words if not word.raw.lstrip("0123456789").startswith("<<")]
