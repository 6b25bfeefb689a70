"""CD2006: the entry point leaves a shell as PID 1 instead of exec-ing the application."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from codi.pipeline.edits import Edit, Fix
from codi.pipeline.findings import Finding, Severity
from codi.pipeline.model import Instruction
from codi.pipeline.shell import Command, ShellScript, parse_script
from codi.rules.base import LintContext, Rule

_SHELL_SYNTAX = re.compile(r"[$`<>|&;*?~(){}\[\]]")
_SCRIPT_SHELLS = frozenset({"sh", "bash", "ash", "dash"})


class ShellEntrypoint(Rule):
    """## What it does
    Checks that the process the container starts ends up as PID 1:

    - a shell-form `ENTRYPOINT` that needs the shell (several commands,
      variable expansion, redirections) and does not `exec` its last command;
    - an exec-form `ENTRYPOINT` that runs a script written by a `COPY`
      heredoc in the same Dockerfile whose last command is not `exec`'d.

    A script that sets a `trap` or ends in `wait` supervises its children on
    purpose and is left alone.

    Relationship to DL3025: DL3025 reports every shell-form `CMD` and
    `ENTRYPOINT`, and its remedy (the JSON form) is right for a plain
    command, so a plain `ENTRYPOINT node server.js` is DL3025's alone. A
    script that needs the shell cannot become JSON without changing its
    meaning; CD2006 reports it for the runtime consequence and offers the
    `exec` fix, which DL3025 does not. Entry point scripts are never DL3025's.

    ## Why is this bad?
    With `/bin/sh -c 'cd /app && node server.js'` the shell may stay PID 1
    (whether it replaces itself by the last command depends on the shell and
    its version; `exec` makes it certain) and the application runs as its
    child: `docker stop` sends SIGTERM to the
    shell, which does not forward it, so the application is killed with
    SIGKILL after the grace period (no graceful shutdown, lost requests), and
    zombie processes are never reaped. A shell-form `ENTRYPOINT` also ignores
    `CMD` and `docker run` arguments.

    ## Example
    ```dockerfile
    ENTRYPOINT cd /app && node server.js
    ```

    ## Use instead
    ```dockerfile
    ENTRYPOINT cd /app && exec node server.js
    ```

    ## Fix safety
    Safe, for a shell-form `ENTRYPOINT` whose last command is a simple
    command at the end of the script (optionally followed by redirections):
    inserts `exec ` before it. The shell would only have waited for that
    command and returned its status; with `exec` the command replaces the
    shell and receives signals. No fix when the last command is inside a
    loop, a condition or a pipeline, or for heredoc scripts.

    The build is unchanged: no later instruction reads the entry point; only
    the running container's PID 1 differs.

    ## References
    - https://docs.docker.com/reference/dockerfile/#entrypoint
    """

    code = "CD2006"
    severity = Severity.WARNING
    message = (
        "The ENTRYPOINT does not `exec` its last command: PID 1 may stay a shell, "
        "which does not forward SIGTERM to the application"
    )

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        scripts = _heredoc_scripts(ctx)
        for instr in ctx.instructions("ENTRYPOINT"):
            if not ctx.is_posix_shell(instr):
                continue
            if instr.exec_form is None:
                yield from self._shell_form(ctx, instr)
            elif instr.exec_form:
                path = _script_path(list(instr.exec_form))
                script = scripts.get(path or "")
                if script is not None and _last_command(script) is not None and not _execs(script):
                    yield self.finding(
                        instr,
                        f"Entry point script {path} does not `exec` its last command: PID 1 may stay a shell, "
                        "which does not forward SIGTERM to the application",
                    )

    def _shell_form(self, ctx: LintContext, instr: Instruction) -> Iterator[Finding]:
        shell = ctx.shell(instr)
        if len(shell.scripts) != 1 or not shell.scripts[0].commands:
            return
        script = shell.scripts[0]
        if not _needs_shell(script) or _execs(script):
            return
        fix = None
        last = _last_command(script)
        if script.exact and last is not None and not script.has_pipes:
            start = instr.args_span(last.start, last.start + 1).start
            fix = Fix.safe("Exec the last command", Edit.insert(start, "exec "))
        yield self.finding(instr, fix=fix)


def _needs_shell(script: ShellScript) -> bool:
    return len(script.commands) > 1 or bool(_SHELL_SYNTAX.search(script.text))


def _top_level(script: ShellScript) -> list[Command]:
    """Commands not nested inside another command (command substitutions excluded)."""
    commands = script.commands
    return [c for c in commands if not any(o is not c and o.start <= c.start and c.end <= o.end for o in commands)]


def _last_command(script: ShellScript) -> Command | None:
    """The script's final simple command when nothing but redirections follows it."""
    top = _top_level(script)
    if not top:
        return None
    last = max(top, key=lambda c: c.start)
    return last if _only_redirections(script.text[last.end :]) else None


def _only_redirections(text: str) -> bool:
    """Whether `text` is nothing but redirections (`> out 2>&1 <in`), read word by word (the regex it
    replaces backtracked exponentially on `>a>a>a… x`). Before each word the reader either expects a
    redirection or the target of an operator that ended the word before (`>`, `2>>`, `>&`)."""
    words = text.split()
    expects_redirection = [True] + [False] * len(words)
    expects_target = [False] * (len(words) + 1)
    for index, word in enumerate(words):
        if expects_redirection[index]:
            expects_redirection[index + 1] |= _is_redirection(word)
            expects_target[index + 1] |= _ends_in_operator(word, after_target=False)
        if expects_target[index]:
            expects_redirection[index + 1] = True
            expects_target[index + 1] |= _ends_in_operator(word, after_target=True)
    return expects_redirection[-1]


def _is_redirection(word: str) -> bool:
    """Digits, `<` or `>`, and at least one more character (the target, or a second operator)."""
    digits = len(word) - len(word.lstrip("0123456789"))
    return len(word) - digits > 1 and word[digits] in "<>"


def _ends_in_operator(word: str, after_target: bool) -> bool:
    """Whether `word` ends in an operator whose target is the next word, after a target (any text) or
    after redirections (or digits)."""
    rest = word.removesuffix("&")
    for width in (1, 2):
        head = rest[: len(rest) - width]
        if len(rest) < width or not all(char in "<>" for char in rest[len(head) :]):
            continue
        if head if after_target else head.strip("0123456789") == "" or _is_redirection(head):
            return True
    return False


def _execs(script: ShellScript) -> bool:
    """Whether the script hands over PID 1 (`exec`) or deliberately supervises (`trap` … `wait`)."""
    top = _top_level(script)
    if not top or script.using("trap"):
        return True
    return max(top, key=lambda c: c.start).name in ("exec", "wait")


def _script_path(argv: list[str]) -> str | None:
    """The script an exec-form ENTRYPOINT runs: `["/entry.sh"]` or `["sh", "/entry.sh"]`."""
    if argv[0].rsplit("/", 1)[-1] in _SCRIPT_SHELLS:
        rest = [arg for arg in argv[1:] if not arg.startswith("-")]
        return rest[0] if rest else None
    return argv[0]


def _heredoc_scripts(ctx: LintContext) -> dict[str, ShellScript]:
    """Shell scripts a `COPY <<EOF /path` writes, by destination path."""
    out: dict[str, ShellScript] = {}
    for instr in ctx.instructions("COPY"):
        if len(instr.heredocs) != 1 or not instr.words:
            continue
        content = instr.heredocs[0].content
        first_line = content.split("\n", 1)[0]
        if first_line.startswith("#!") and first_line.rsplit("/", 1)[-1].split()[-1] not in _SCRIPT_SHELLS:
            continue
        out[instr.words[-1].value] = parse_script(content, exact=False)
    return out
