from codi.pipeline.config import LintConfig
from tests.rules.helpers import catches_not, findings

SCHEMA = LintConfig(label_schema={"l": "hash", "other": "text"})


def label(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'FROM x\nLABEL other=1 l="{escaped}"\n'


def test_valid_values():
    for value in ["abcdef0", "0123456789abcdef0123456789abcdef01234567"]:
        catches_not("DL3055", label(value), config=SCHEMA)


def test_invalid_values():
    for value in ["ABCDEF0", "abcdef", "", "main", "abcdef01"]:
        (finding,) = findings("DL3055", label(value), config=SCHEMA)
        assert finding.line == 2, value
        assert finding.message == "Label `l` is not a valid git hash."


def test_other_labels_and_no_schema():
    catches_not("DL3055", 'FROM x\nLABEL other="not valid at all"\n', config=SCHEMA)
    catches_not("DL3055", label("ABCDEF0"))
