"""Properties every fix must have, safe fixes alone and with unsafe ones:
- fixing is idempotent: `codi fix` twice gives what once gives;
- an applied fix removes its finding: the same code no longer fires on that instruction;
- the fixed text parses with no new parse diagnostics and renders back unchanged.

They are checked on every rule's "Example" snippet and on inputs hypothesis
picks: corpus files, whole or a window of their lines (which also yields broken
continuations and heredocs), and rule examples alone or appended to a corpus
file (most real files have few fixable findings). Large generated inputs (long lines, deep `${A:-`
nesting, many instructions, long `&&` chains) must keep the properties within a deadline: a
quadratic path in lint or fix misses it.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codi.pipeline.edits import Edit, apply_fixes
from codi.pipeline.lint import MAX_FIX_PASSES, LintResult, fix_passes, fix_text, lint_text
from codi.pipeline.model import Document, Instruction
from codi.pipeline.parser import parse
from codi.reports.rule_docs import rule_doc
from codi.rules import all_rules
from tests.corpus import corpus_files, read

FILES = corpus_files()


def rule_examples() -> list[tuple[str, str]]:
    """(code, snippet) for the Dockerfile snippets of every rule's "Example" section."""
    examples = []
    for rule in all_rules():
        section = rule_doc(rule).sections.get("Example", "")
        for snippet in re.findall(r"```dockerfile\n(.*?)```", section, re.S | re.I):
            examples.append((rule.code, snippet.strip("\n") + "\n"))
    return examples


EXAMPLES = rule_examples()
SNIPPETS = [snippet for _, snippet in EXAMPLES]

PROPERTY_SETTINGS = settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def line_windows(draw: st.DrawFn) -> str:
    """A run of consecutive lines of a corpus file."""
    lines = read(draw(st.sampled_from(FILES))).splitlines(keepends=True)
    start = draw(st.integers(0, max(len(lines) - 1, 0)))
    return "".join(lines[start : start + draw(st.integers(1, 40))])


whole_files = st.sampled_from(FILES).map(read)
dockerfiles = st.one_of(
    whole_files,
    line_windows(),
    st.sampled_from(SNIPPETS),
    st.tuples(whole_files, st.sampled_from(SNIPPETS)).map(lambda pair: pair[0].rstrip("\n") + "\n" + pair[1]),
)


LARGE_SETTINGS = settings(
    max_examples=12,
    derandomize=True,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow],
)
SNIPPET_LINES = [line for snippet in SNIPPETS for line in snippet.splitlines() if line.strip()]


@st.composite
def large_dockerfiles(draw: st.DrawFn) -> str:
    """A Dockerfile that is large in one way: a long line, deep nesting, many instructions or a long chain."""
    shape = draw(st.sampled_from(["long line", "nesting", "instructions", "chain"]))
    if shape == "long line":
        word = draw(st.sampled_from(["a.b", "${A}x", "'q' ", "--flag=v ", "a|b", "-o"]))
        return "FROM debian:12\nRUN apt-get install " + word * draw(st.integers(5_000, 20_000)) + "\n"
    if shape == "nesting":
        depth = draw(st.integers(1_000, 10_000))
        return "FROM debian:12\nARG A\nENV X=" + "${A:-" * depth + "x" + "}" * depth + "\nRUN echo $X\n"
    if shape == "instructions":
        picked = draw(st.lists(st.sampled_from(SNIPPET_LINES), min_size=5, max_size=20))
        return "FROM debian:12\n" + "\n".join(picked * draw(st.integers(20, 60))) + "\n"
    commands = draw(st.lists(st.sampled_from(["apt-get install curl", "cd /x", "pip install flask", "echo a"]), min_size=2))
    return "FROM debian:12\nRUN " + " && \\\n    ".join(commands * draw(st.integers(100, 400))) + "\n"


@LARGE_SETTINGS
@given(text=large_dockerfiles(), unsafe=st.booleans())
def test_fix_properties_on_large_inputs(text: str, unsafe: bool):
    check_fix_properties(text, unsafe)


def test_corpus_offers_fixes():
    """Guards the properties against passing vacuously: the corpus does exercise fixes."""
    assert FILES, "corpus missing: see tests/corpus.py"
    fixable = [path for path in FILES if lint_text(read(path)).fixes()]
    assert len(fixable) >= 10, fixable
    assert sum(1 for snippet in SNIPPETS if lint_text(snippet).fixes()) >= 3


@PROPERTY_SETTINGS
@given(text=dockerfiles, unsafe=st.booleans())
def test_fix_properties_on_corpus(text: str, unsafe: bool):
    check_fix_properties(text, unsafe)


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("code, snippet", EXAMPLES, ids=[code for code, _ in EXAMPLES])
def test_fix_properties_on_every_rule_example(code: str, snippet: str, unsafe: bool):
    """Each rule's own example, so every fix is checked whatever hypothesis draws."""
    check_fix_properties(snippet, unsafe)


def check_fix_properties(text: str, unsafe: bool) -> None:
    outcome = fix_passes(text, unsafe=unsafe)
    fixed = outcome.text
    if not outcome.deferred:  # a fix held back as unsafe may be safe in the fixed text: a second run applies it
        assert fix_text(fixed, unsafe=unsafe) == fixed, "fixing twice changes more than fixing once"
        assert fixed_pass_by_pass(text, unsafe) == fixed
    document = parse(fixed)
    assert document.render() == fixed
    new_diagnostics = Counter(d.message for d in document.diagnostics) - Counter(
        d.message for d in parse(text).diagnostics
    )
    assert not new_diagnostics, f"fixes introduced {sorted(new_diagnostics)} in:\n{fixed}"


def fixed_pass_by_pass(text: str, unsafe: bool) -> str:
    """`codi fix` pass by pass, asserting that what one pass fixed does not fire again in the next."""
    applied: list[tuple[str, int]] = []
    """(code, start of its instruction in the current text) of the findings fixed by the last pass."""
    for _ in range(MAX_FIX_PASSES):
        result = lint_text(text)
        for code, start in applied:
            instr = _instruction_starting_at(result.document, start)
            if instr is not None:
                again = [f for f in result.findings if f.code == code and _within(f.span.start, instr)]
                assert not again, f"{code} still fires after its fix on:\n{instr.raw}"
        fixes = result.fixes(unsafe=unsafe)
        if not fixes:
            break
        edits = [edit for fix in fixes for edit in fix.edits]
        applied = [
            (finding.code, _map_offset(instr.span.start, edits))
            for finding, instr in _fixed_findings(result, fixes)
        ]
        text = apply_fixes(text, fixes)
    return text


def _fixed_findings(result: LintResult, fixes: list) -> list[tuple]:
    """Findings whose fix was applied, with the top-level instruction they are on."""
    out = []
    for finding in result.findings:
        if finding.fix is None or finding.fix not in fixes:
            continue
        instr = next((i for i in result.document.instructions if _within(finding.span.start, i)), None)
        if instr is not None:
            out.append((finding, instr))
    return out


def _within(offset: int, instr: Instruction) -> bool:
    return instr.span.start <= offset <= instr.span.end


def _instruction_starting_at(document: Document, offset: int) -> Instruction | None:
    """None when the fix removed or merged the instruction away."""
    return next((i for i in document.instructions if i.span.start == offset), None)


def _map_offset(offset: int, edits: list[Edit]) -> int:
    """Where `offset` lands after the edits; text inserted at `offset` goes before it."""
    shift = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.end <= offset:
            shift += len(edit.replacement) - (edit.end - edit.start)
        elif edit.start <= offset:
            return edit.start + shift
    return offset + shift
