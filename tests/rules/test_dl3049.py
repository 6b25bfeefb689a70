from codi.pipeline.config import LintConfig
from tests.rules.helpers import catches_not, findings, lines

SCHEMA = LintConfig(label_schema={"foo": "text"})


def count(dockerfile: str) -> int:
    return len(findings("DL3049", dockerfile, config=SCHEMA))


def test_single_stage():
    assert lines("DL3049", "FROM baseimage\n", config=SCHEMA) == [1]
    assert lines("DL3049", 'FROM baseimage\nLABEL bar="baz"\n', config=SCHEMA) == [1]
    catches_not("DL3049", 'FROM baseimage\nLABEL foo="bar"\n', config=SCHEMA)


def test_message_names_the_label():
    (finding,) = findings("DL3049", "FROM baseimage\n", config=SCHEMA)
    assert finding.message == "Label `foo` is missing."


def test_no_schema_no_finding():
    catches_not("DL3049", "FROM baseimage\n")


def test_independent_stages():
    assert count("FROM stage1\nFROM stage2\n") == 2
    assert count('FROM stage1\nLABEL bar="baz"\nFROM stage2\nLABEL buzz="fuzz"\n') == 2
    assert count('FROM baseimage\nLABEL foo="bar"\nFROM newimage\n') == 1
    assert count('FROM baseimage\nFROM newimage\nLABEL foo="bar"\n') == 1


def test_inheritance():
    assert count("FROM baseimage as base\nFROM base\n") == 2
    assert count('FROM baseimage as base\nFROM base\nLABEL foo="bar"\n') == 0
    assert count('FROM baseimage as base\nLABEL foo="bar"\nFROM base\n') == 0
    assert count('FROM baseimage as base\nFROM base\nLABEL foo="bar"\n\nFROM base\n') == 1
    assert count('FROM baseimage as base\nFROM base\n\nFROM base\nLABEL foo="bar"\n') == 1


def test_child_with_alias_excuses_its_bases():
    # hadolint only lets an unnamed child excuse its direct parent.
    assert count('FROM x AS a\nFROM a AS b\nFROM b AS c\nLABEL foo="1"\n') == 0


def test_copy_sources_are_exempt():
    assert count('FROM baseimage as base\nFROM anotherimage\nLABEL foo="bar"\nCOPY --from=base /bar /baz\n') == 0
    assert count('FROM baseimage\nFROM anotherimage\nLABEL foo="bar"\nCOPY --from=0 /bar /baz\n') == 0
    assert count('FROM baseimage as base\nFROM anotherimage\nLABEL foo="bar"\n') == 1
    assert (
        count(
            'FROM baseimage as base\nFROM newimage\nLABEL foo="bar"\nCOPY --from=base /bar /baz\n\n'
            "FROM newimage\nCOPY --from=base /bar /baz\n"
        )
        == 1
    )


def test_one_finding_per_schema_label():
    config = LintConfig(label_schema={"a": "text", "b": "url"})
    assert sorted(f.message for f in findings("DL3049", "FROM x\nLABEL a=1\n", config=config)) == [
        "Label `b` is missing."
    ]
