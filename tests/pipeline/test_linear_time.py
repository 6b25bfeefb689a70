"""Inputs that took quadratic (or worse) time or blew the stack, now read in one pass.

Each test asserts the result on an input large enough that the old path either crashed
(RecursionError) or took minutes, so a regression fails or stalls the test visibly; speed
itself is measured in bench/pathological.py.
"""

from __future__ import annotations

from codi.pipeline.config import LintConfig
from codi.pipeline.edits import Edit, Fix, select_fixes
from codi.pipeline.lint import lint_text
from codi.pipeline.semantic import expand
from codi.pipeline.shell import parse_script
from codi.rules.checks.cd1009 import _UNSIGNED_SETTINGS
from codi.rules.checks.cd2006 import _only_redirections
from codi.rules.secrets import find_tokens


def test_nested_defaults_expand_innermost_word():
    depth = 50_000
    text = "${A:-" * depth + "x" + "}" * depth
    assert expand(text, {}) == "x"
    assert expand(text, {"A": "1"}) == "1"


def test_nested_words_follow_docker():
    variables = {"B": "2", "E": ""}
    assert expand("${A:-${B}}", variables) == "2"
    assert expand("${A:-x${B}y}z", variables) == "x2yz"
    assert expand("${B:+<${B:+${B}}>}", variables) == "<2>"
    assert expand("${E:-${A:-d}}", variables) == "d"
    assert expand("${E-${A:-d}}", variables) == ""


def test_unclosed_default_stays_as_written():
    assert expand("${A:-$B", {"B": "2"}) == "${A:-2"
    assert expand("${A:-" * 3 + "x", {}) == "${A:-" * 3 + "x"
    assert expand("a}b ${A}", {"A": "1"}) == "a}b 1"


def test_used_words_and_literal_braces_on_a_long_line():
    count = 100_000
    assert expand("${A:+" + "$B}" * count + "}", {"A": "1", "B": "b"}) == "b" + "b}" * (count - 1) + "}"


def test_long_and_chain_parses_every_command():
    count = 5_000
    script = " && ".join(f"echo {i}" for i in range(count))
    commands = parse_script(script).commands
    assert [command.args[0].value for command in commands] == [str(i) for i in range(count)]
    assert all(command.top_level_step and command.plain_list_member for command in commands)
    assert commands[-1].statement_end == len(script)


def test_many_fixes_are_selected_without_overlap():
    fixes = [Fix.safe(f"fix {i}", Edit.insert(i * 10, "x")) for i in range(20_000)]
    overlapping = [Fix.safe("overlaps", Edit(10, 25, "y")), Fix.safe("same point", Edit.insert(30, "z"))]
    chosen = select_fixes(fixes + overlapping)
    assert chosen == fixes


def test_run_flag_without_value_next_to_one_with_a_value():
    """Found by bench/fuzz.py: DL3059 sorted `--mount` (no value) against `--mount=…` and raised TypeError."""
    text = "FROM alpine\nRUN --mount --mount=type=cache,target=/x echo a\nRUN --mount --mount=type=cache,target=/x echo b\n"
    findings = lint_text(text, LintConfig(shellcheck=False)).findings
    assert [f.span.line for f in findings if f.code == "DL3059"] == [3]


def test_redirections_after_the_last_command_are_read_word_by_word():
    """CD2006's check for `CMD cmd > out 2>&1`: `>a>a…` backtracked exponentially in the regex it had."""
    assert _only_redirections(" > out 2>&1 <in")
    assert _only_redirections(">> log")
    assert _only_redirections(">a" * 50_000)
    assert not _only_redirections(">a" * 50_000 + " x y")
    assert not _only_redirections(" && other")


def test_url_password_on_a_long_dotted_line():
    """`a.a.a…` made the URL-credentials regex try a scheme at every word boundary (quadratic)."""
    text = "a." * 200_000 + " https://user:hunter22@example.com/x"
    found = find_tokens(text)
    assert [(m.kind, text[m.start : m.end]) for m in found] == [("password in URL", "hunter22")]


def test_tokens_and_unsigned_repositories_on_runs_of_their_own_characters():
    """`eyJ-eyJ-…`, `sk-sk-…` and `[[[…` made the JWT, OpenAI-key and `[trusted=yes]` regexes rescan the run
    from every start; a real JWT and a real `[trusted=yes]` option are still found."""
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    text = "eyJ-" * 50_000 + " sk-" * 50_000 + " TOKEN=" + jwt
    assert [(m.kind, text[m.start : m.end]) for m in find_tokens(text)] == [("JSON Web Token", jwt)]
    line = "[" * 100_000 + " deb [arch=amd64 trusted=yes] http://x"
    assert [m.group(0) for m in _UNSIGNED_SETTINGS.finditer(line)] == ["[arch=amd64 trusted=yes]"]


def test_a_chain_of_growing_values_is_tracked_up_to_its_bound():
    """`ENV V2=$V1/2` … makes each value as long as all before it: 40,000 of them would hold gigabytes."""
    from codi.pipeline.parser import parse
    from codi.pipeline.semantic import MAX_TRACKED_VALUE_CHARS, SemanticModel

    count = 40_000
    text = "FROM debian:12\nENV V0=x\n" + "".join(f"ENV V{i}=${{V{i - 1}}}/{i}\n" for i in range(1, count)) + "RUN true\n"
    model = SemanticModel(parse(text))
    variables = model.variables_at(model.document.instructions[-1])
    assert variables["V3"] == "x/1/2/3"
    assert len(variables["V1000"]) < MAX_TRACKED_VALUE_CHARS
    values = [variables[f"V{i}"] for i in range(count)]
    assert None in values  # past the bound: unknown, as a variable nobody set
    longest_line = max(len(line) for line in text.splitlines())
    assert max(len(value) for value in values if value is not None) <= MAX_TRACKED_VALUE_CHARS + longest_line
