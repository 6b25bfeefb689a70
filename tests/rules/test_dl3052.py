from codi.pipeline.config import LintConfig
from tests.rules.helpers import catches_not, findings

SCHEMA = LintConfig(label_schema={"l": "url", "other": "text"})


def label(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'FROM x\nLABEL other=1 l="{escaped}"\n'


def test_valid_values():
    for value in [
        "https://example.com/a?b=c#d",
        "mailto:x",
        "http://[::1]:80/x",
        "git+ssh://git@github.com/x.git",
        "http://a.com/a%20b",
        "urn:isbn:123",
    ]:
        catches_not("DL3052", label(value), config=SCHEMA)


def test_invalid_values():
    for value in [
        "example.com",
        "http://exa mple.com",
        "",
        "http://a.com/%zz",
        "//a.com",
        "http://a.com/{x}",
        "http://a.com:port",
        "http://a.com/#a#b",
    ]:
        (finding,) = findings("DL3052", label(value), config=SCHEMA)
        assert finding.line == 2, value
        assert finding.message == "Label `l` is not a valid URL."


def test_other_labels_and_no_schema():
    catches_not("DL3052", 'FROM x\nLABEL other="not valid at all"\n', config=SCHEMA)
    catches_not("DL3052", label("example.com"))
