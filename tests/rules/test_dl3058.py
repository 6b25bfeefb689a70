from codi.pipeline.config import LintConfig
from tests.rules.helpers import catches_not, findings

SCHEMA = LintConfig(label_schema={"l": "email", "other": "text"})


def label(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'FROM x\nLABEL other=1 l="{escaped}"\n'


def test_valid_values():
    for value in [
        "a@b.com",
        "a@b",
        "a+tag@b.co",
        '"a b"@b.com',
        "a@[1.2.3.4]",
        "a(comment)@b.com",
        "a@b.com.",
    ]:
        catches_not("DL3058", label(value), config=SCHEMA)


def test_invalid_values():
    for value in [
        "John <a@b.com>",
        "a.@b.com",
        "a..b@c.com",
        "@b.com",
        "a@",
        "a@b_c.com",
        "a@-b.com",
        "ü@b.com",
        "a" * 65 + "@b.com",
    ]:
        (finding,) = findings("DL3058", label(value), config=SCHEMA)
        assert finding.line == 2, value
        assert finding.message == "Label `l` is not a valid email format - must conform to RFC5322."


def test_other_labels_and_no_schema():
    catches_not("DL3058", 'FROM x\nLABEL other="not valid at all"\n', config=SCHEMA)
    catches_not("DL3058", label("John <a@b.com>"))
