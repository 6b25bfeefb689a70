"""The parser: lossless round trip, spans, flags, forms, heredocs, directives, diagnostics."""

import pytest

from codi.pipeline.model import Blank, Comment, Directive, Instruction, InvalidLine
from codi.pipeline.parser import parse
from tests.corpus import corpus_files, read


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_round_trip_is_byte_exact_on_corpus(path):
    data = path.read_bytes()
    text = read(path)
    document = parse(text)
    assert document.render().encode("utf-8", "surrogateescape") == data


def test_corpus_is_present():
    assert len(corpus_files()) == 260


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "\ufeffFROM a\n",
        "FROM a\r\nRUN b \\\r\n  c\r\n",
        "RUN a \\",
        "RUN <<EOF\nunterminated",
        "#",
        "FROM",
        "ONBUILD",
        "   \t",
        "RUN [\"a\", 1]\n",
        "\x00\xff garbage \\\n\\\n",
        "FROM a\nRUN <<A <<B\na\nA\nb\nB\n",
    ],
)
def test_never_raises_and_round_trips(text):
    assert parse(text).render() == text


def test_continuation_joins_lines_and_skips_comments_and_blanks():
    doc = parse("RUN apt-get update \\\n# a comment\n\n    && apt-get install -y curl\n")
    (instr,) = doc.instructions
    assert instr.args == "apt-get update     && apt-get install -y curl"
    assert [c.text for c in instr.comments] == ["a comment"]
    assert (instr.span.line, instr.span.end_line) == (1, 4)


def test_args_offsets_map_back_to_source():
    text = "RUN apt-get update \\\n    && apt-get install curl\n"
    (instr,) = parse(text).instructions
    start = instr.args.index("install")
    span = instr.args_span(start, start + len("install"))
    assert text[span.start : span.end] == "install"
    assert (span.line, span.column) == (2, 16)


def test_flags_and_exec_form():
    doc = parse('COPY --from=build --chown=1000:1000 --link ["a b", "/dst/"]\n')
    (instr,) = doc.instructions
    assert [(f.name, f.value) for f in instr.flags] == [("from", "build"), ("chown", "1000:1000"), ("link", None)]
    assert instr.exec_form == ("a b", "/dst/")
    run = parse("RUN --mount=type=cache,target=/root/.cache pip install x\n").instructions[0]
    assert run.flag("mount").value == "type=cache,target=/root/.cache"
    assert run.args == "pip install x"
    assert run.exec_form is None


def test_run_mounts_read_as_buildkit_does():
    run = parse(
        "RUN --mount=type=cache,target=/a --mount=Type=TMPFS,dst='/b' --mount=source=x,target=/c,dst=/d cmd\n"
    ).instructions[0]
    assert [(m.type, m.target) for m in run.mounts] == [("cache", "/a"), ("tmpfs", "/b"), ("bind", "/d")]
    assert run.mounts[2].options["source"] == "x"
    assert parse("RUN cmd\n").instructions[0].mounts == ()


def test_shell_test_bracket_is_not_a_bad_exec_form():
    doc = parse('RUN [ "$X" = "true" ] && exit 0\n')
    assert doc.diagnostics == ()
    assert doc.instructions[0].exec_form is None


def test_broken_exec_form_is_a_diagnostic():
    doc = parse('CMD ["serve", "-p", "80"]doc\n')
    assert doc.instructions[0].exec_form is None
    assert "not a JSON array" in doc.diagnostics[0].message


def test_directives_and_escape():
    text = "# syntax=docker/dockerfile:1\n# escape=`\nFROM windows\nRUN dir `\n  c:\\\n"
    doc = parse(text)
    assert [(d.name, d.value) for d in doc.directives] == [("syntax", "docker/dockerfile:1"), ("escape", "`")]
    assert doc.escape == "`"
    assert doc.instructions[1].args == "dir   c:\\"


def test_directive_after_comment_is_a_comment():
    doc = parse("# hello\n# escape=`\nFROM a\n")
    assert doc.directives == ()
    assert doc.escape == "\\"


def test_heredocs():
    text = "FROM a\nRUN <<EOF bash\necho hi\nEOF\nCOPY <<-\"END\" /x\n\tbody\n\tEND\nRUN echo after\n"
    doc = parse(text)
    run, copy = doc.instructions[1], doc.instructions[2]
    assert run.heredocs[0].delimiter == "EOF" and run.heredocs[0].body == "echo hi\n"
    heredoc = copy.heredocs[0]
    assert heredoc.quoted and heredoc.strip_tabs and heredoc.content == "body\n"
    assert doc.instructions[3].args == "echo after"
    assert doc.render() == text


def test_comment_after_heredoc_terminator_is_a_comment():
    doc = parse("FROM a\nRUN <<EOF\necho\nEOF\n# note\nCOPY a b\n")
    assert isinstance(doc.nodes[2], Comment)
    assert [i.keyword for i in doc.instructions] == ["FROM", "RUN", "COPY"]


def test_several_heredocs_on_one_line():
    doc = parse("RUN <<A cat - <<B\none\nA\ntwo\nB\n")
    assert [h.body for h in doc.instructions[0].heredocs] == ["one\n", "two\n"]


def test_unknown_instruction_is_kept_and_parsing_continues():
    doc = parse("FROM a\nFOO bar\nRUN ok\n")
    assert isinstance(doc.nodes[1], InvalidLine)
    assert doc.diagnostics[0].span.line == 2
    assert "FOO" in doc.diagnostics[0].message
    assert [i.keyword for i in doc.instructions] == ["FROM", "RUN"]


def test_lowercase_keyword_and_onbuild():
    doc = parse("from a\nonbuild run echo hi\n")
    first, onbuild = doc.instructions
    assert first.keyword == "FROM" and first.raw_keyword == "from"
    assert onbuild.inner.keyword == "RUN" and onbuild.inner.args == "echo hi"


def test_node_types_cover_the_file():
    doc = parse("# syntax=x\n\n# c\nFROM a\n")
    assert [type(n) for n in doc.nodes] == [Directive, Blank, Comment, Instruction]


def test_healthcheck_exec_form_is_the_command_after_cmd():
    doc = parse('HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://x/"]\nHEALTHCHECK CMD curl -f http://x/\n')
    assert [instr.exec_form for instr in doc.instructions] == [("curl", "-f", "http://x/"), None]
    assert parse("HEALTHCHECK NONE\n").instructions[0].exec_form is None
