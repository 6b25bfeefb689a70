from codi.pipeline.config import LintConfig
from tests.rules.helpers import catches_not, findings

SCHEMA = LintConfig(label_schema={"l": "rfc3339", "other": "text"})


def label(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'FROM x\nLABEL other=1 l="{escaped}"\n'


def test_valid_values():
    for value in [
        "2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00.123+01:00",
        "2020-01-01t00:00:00z",
        "2020-02-29T00:00:00Z",
        "2020-01-01T00:00:60Z",
    ]:
        catches_not("DL3053", label(value), config=SCHEMA)


def test_invalid_values():
    for value in [
        "2020-01-01",
        "2020-01-01 00:00:00Z",
        "2020-13-01T00:00:00Z",
        "2019-02-29T00:00:00Z",
        "2020-01-01T00:00:00",
        "2020-01-01T00:00Z",
        "2020-01-01T00:00:00+0100",
        "20-01-01T00:00:00Z",
    ]:
        (finding,) = findings("DL3053", label(value), config=SCHEMA)
        assert finding.line == 2, value
        assert finding.message == "Label `l` is not a valid time format - must conform to RFC3339."


def test_other_labels_and_no_schema():
    catches_not("DL3053", 'FROM x\nLABEL other="not valid at all"\n', config=SCHEMA)
    catches_not("DL3053", label("2020-01-01"))
