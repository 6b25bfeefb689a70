"""CD1008: TLS certificate verification switched off."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.semantic import key_values
from codi.pipeline.shell import Command, ShellScript, ShellWord
from codi.rules.base import LintContext, Rule
from codi.rules.fixes import removal_fix, remove_word_edits

# Environment variables that switch verification off, with the values that do it.
_INSECURE_ENV: dict[str, Callable[[str], bool]] = {
    "NODE_TLS_REJECT_UNAUTHORIZED": lambda value: value == "0",
    "PYTHONHTTPSVERIFY": lambda value: value == "0",
    "NPM_CONFIG_STRICT_SSL": lambda value: value.lower() == "false",
    "GIT_SSL_NO_VERIFY": lambda value: True,  # git only checks that it is set
    "PIP_TRUSTED_HOST": lambda value: value != "",
    "GOINSECURE": lambda value: value != "",
}
# Commands whose `NAME=value` arguments set variables.
_SETTERS = frozenset({"export", "declare", "typeset", "readonly", "local", "env"})
_FALSE = ("false", "0", "no", "off")
_SSLVERIFY_OFF = re.compile(
    r"(?:(?<![A-Za-z0-9_])|(?<=\\n))ssl_?verify\s*=\s*['\"]?(?:0|false|no)\b", re.IGNORECASE
)  # `\n` before it: printf's and `echo -e`'s line break
# Where `sslverify=0` takes effect: given to the package tool (`--setopt=sslverify=0`, zypper's
# `?ssl_verify=no` repository URL) or written into its configuration; elsewhere it is only text.
_RPM_TOOLS = frozenset({"yum", "dnf", "dnf5", "microdnf", "tdnf", "zypper", "yum-config-manager"})
_RPM_CONFIG_DIRS = ("/etc/yum.repos.d/", "/etc/yum/", "/etc/dnf/", "/etc/zypp/", "/etc/distro.repos.d/")
_IN_PLACE_EDITORS = frozenset({"sed", "perl"})
"""Editors that write the files they are given only with `-i`/`--in-place` (else they print)."""
_APT_VERIFY_OFF = re.compile(r"Acquire::https::(?:[^:\s]+::)?Verify-(?:Peer|Host)\W+false", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Unsafe:
    """One place that weakens the build: what it is, and the words a fix would remove (if removable)."""

    what: str
    removable: tuple[ShellWord, ...] = ()


class TlsVerificationDisabled(Rule):
    """## What it does
    Checks for switched-off TLS certificate verification: `curl -k` /
    `--insecure`, `wget --no-check-certificate`, `pip --trusted-host`,
    `npm`/`yarn`/`pnpm config set strict-ssl false`, `git -c
    http.sslVerify=false` and `git config http.sslVerify false`, yum/dnf/zypper
    `sslverify=0` given to the tool or written into its configuration
    (`/etc/yum.conf`, `/etc/yum.repos.d/`, `/etc/dnf/`, `/etc/zypp/`, a
    `.repo` file; `echo "sslverify=0" >> README` is only text), apt `Acquire::https::Verify-Peer false`, and the variables
    `NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`,
    `NPM_CONFIG_STRICT_SSL=false`, `GIT_SSL_NO_VERIFY`, `PIP_TRUSTED_HOST`,
    `GOINSECURE` in `ENV`, `ARG` or a `RUN`.

    ## Why is this bad?
    Anyone on the network path (a proxy, a compromised mirror, a hostile
    Wi-Fi on a laptop build) can then serve a different file, package or
    repository, and the build installs it without a complaint.

    ## Example
    ```dockerfile
    RUN curl -fsSLk https://example.com/install.sh | sh
    ```

    ## Use instead
    ```dockerfile
    RUN curl -fsSL https://example.com/install.sh | sh
    ```
    (and install the CA certificate the server needs, if any)

    ## Fix safety
    Unsafe, offered for `curl -k`/`--insecure` and `wget
    --no-check-certificate` only: it removes the option, and the build then
    fails if the server's certificate really is not trusted by the image.

    ## References
    - Checkov CKV2_DOCKER_2 (curl), CKV2_DOCKER_3 (wget), CKV2_DOCKER_4 (pip
      --trusted-host), CKV2_DOCKER_5 (PYTHONHTTPSVERIFY), CKV2_DOCKER_6
      (NODE_TLS_REJECT_UNAUTHORIZED), CKV2_DOCKER_12 (NPM_CONFIG_STRICT_SSL),
      CKV2_DOCKER_13 (npm/yarn strict-ssl), CKV2_DOCKER_14 (GIT_SSL_NO_VERIFY),
      CKV2_DOCKER_15 (yum/dnf sslverify), CKV2_DOCKER_16 (PIP_TRUSTED_HOST),
      CKV2_DOCKER_18 (GOINSECURE)
    """

    code = "CD1008"
    severity = Severity.WARNING
    message = "TLS certificate verification is disabled"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        for instr in ctx.instructions("ENV", "ARG", onbuild=True):
            names = [pair.key for pair in key_values(instr) if _insecure_env(pair.key, pair.value)]
            if names:
                yield self.finding(instr, f"{self.message}: `{names[0]}`")
        for instr in ctx.instructions("RUN", onbuild=True):
            found = [(script, unsafe) for script in ctx.shell(instr).scripts for unsafe in _in_script(script)]
            if not found:
                continue
            yield self.finding(instr, f"{self.message}: {found[0][1].what}", _fix(instr, found))


def _fix(instr: Instruction, found: list[tuple[ShellScript, Unsafe]]) -> Fix | None:
    """Removal of every insecure option of the RUN, or None when one of them cannot be removed."""
    if not all(unsafe.removable for _, unsafe in found):
        return None
    removals = (_fix_edits(instr, script, word) for script, unsafe in found for word in unsafe.removable)
    return removal_fix("Re-enable TLS certificate verification", removals)


def _insecure_env(name: str, value: str | None) -> bool:
    judge = _INSECURE_ENV.get(name.upper())
    return judge is not None and value is not None and judge(value.strip("'\""))


def _in_script(script: ShellScript) -> Iterator[Unsafe]:
    for assignment in _assignments(script):
        name, _, value = assignment.partition("=")
        if _insecure_env(name, value):
            yield Unsafe(f"`{name}`")
    for cmd in script.commands:
        yield from _in_command(cmd)
        if any(_SSLVERIFY_OFF.search(value) for value in cmd.values) and _configures_rpm_tool(script, cmd):
            yield Unsafe("`sslverify=0`")


def _assignments(script: ShellScript) -> list[str]:
    """Every `NAME=value` the script sets (statements, command prefixes, `export`/`env` arguments), in order."""
    words = list(script.assignments)
    for cmd in script.commands:
        words.extend(cmd.assignments)
        if cmd.name in _SETTERS:
            words.extend(word for word in cmd.args if "=" in word.value)
    return [word.value for word in sorted(words, key=lambda word: word.start)]


def _in_command(cmd: Command) -> Iterator[Unsafe]:
    if cmd.name == "curl":
        words = tuple(w for w in cmd.args if _is_curl_insecure(w.value))
        if words:
            yield Unsafe("`curl --insecure`", words)
    elif cmd.name == "wget":
        words = tuple(w for w in cmd.args if w.value.startswith("--no-check-cert"))
        if words:
            yield Unsafe("`wget --no-check-certificate`", words)
    elif (cmd.name.startswith("pip") and not cmd.name.startswith("pipenv")) or cmd.is_pip_install():
        if cmd.has_flag("trusted-host") or any(value.endswith(".trusted-host") for value in cmd.values):
            yield Unsafe("`pip --trusted-host`")
    elif cmd.name in ("npm", "yarn", "pnpm") and _sets_strict_ssl_off(cmd):
        yield Unsafe(f"`{cmd.name} strict-ssl false`")
    elif cmd.name == "git" and _git_ssl_verify_off(cmd):
        yield Unsafe("`git http.sslVerify false`")
    if any(_APT_VERIFY_OFF.search(value) for value in cmd.values):
        yield Unsafe("`Acquire::https::Verify-Peer false`")


def _configures_rpm_tool(script: ShellScript, cmd: Command) -> bool:
    """Whether `cmd` hands its words to yum/dnf/zypper or writes them into their configuration,
    itself (`sed -i … /etc/yum.conf`, `echo … >> x.repo`) or through its pipeline (`echo … | tee x.repo`)."""
    if cmd.name.rsplit("/", 1)[-1] in _RPM_TOOLS:
        return True
    pipeline = [cmd]
    if cmd.statement_end is not None:
        pipeline += [other for other in script.commands if cmd.end <= other.start < cmd.statement_end]
    return any(_is_rpm_config(word.value) for member in pipeline for word in _files_written(member))


def _files_written(cmd: Command) -> tuple[ShellWord, ...]:
    """The files `cmd` writes its text into: redirections, `tee`'s files, in-place edits."""
    if cmd.name == "tee" or (
        cmd.name in _IN_PLACE_EDITORS and (cmd.has_flag("i") or cmd.has_prefix_arg("--in-place"))
    ):
        return (*cmd.args, *cmd.writes_to)
    return cmd.writes_to


def _is_rpm_config(path: str) -> bool:
    return path.endswith((".repo", "/etc/yum.conf", "/etc/dnf/dnf.conf")) or any(
        directory in path for directory in _RPM_CONFIG_DIRS
    )


def _is_curl_insecure(word: str) -> bool:
    if word in ("--insecure", "--proxy-insecure", "--doh-insecure"):
        return True
    return word.startswith("-") and not word.startswith("--") and "k" in word[1:]


def _sets_strict_ssl_off(cmd: Command) -> bool:
    """`npm config set strict-ssl false`, `yarn config set enableStrictSsl false`, `npm --strict-ssl=false …`."""
    values = [value.lower() for value in cmd.values]
    if cmd.name != "yarn" and ("--no-strict-ssl" in values or "--strict-ssl=false" in values):
        return True
    if "set" not in values:
        return False
    pairs = zip(values, values[1:] + [""])
    return any(
        key in ("strict-ssl", "enablestrictssl") and value in _FALSE
        or key in ("strict-ssl=false", "enablestrictssl=false")
        for key, value in pairs
    )


def _git_ssl_verify_off(cmd: Command) -> bool:
    values = [value.lower() for value in cmd.values]
    for index, value in enumerate(values):
        if value.startswith("http.sslverify=") or re.fullmatch(r"http\..+\.sslverify=.*", value):
            if value.split("=", 1)[1] in _FALSE:
                return True
        if (value == "http.sslverify" or re.fullmatch(r"http\..+\.sslverify", value)) and index + 1 < len(values):
            if values[index + 1] in _FALSE:
                return True
    return False


def _fix_edits(instr: Instruction, script: ShellScript, word: ShellWord) -> list[Edit]:
    """Edits that take an option out; a combined short option (`-fsSLk`) loses only its `k`."""
    value = word.value
    if value.startswith("-") and not value.startswith("--") and value != "-k":
        if script.text[word.start : word.end] != value:
            return []
        index = word.start + value.rindex("k")
        span = instr.args_span(index, index + 1)
        return [Edit.delete(span.start, span.end)]
    return remove_word_edits(instr, script, word)
