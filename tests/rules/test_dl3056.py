from codi.pipeline.config import LintConfig
from tests.rules.helpers import catches_not, findings

SCHEMA = LintConfig(label_schema={"l": "semver", "other": "text"})


def label(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'FROM x\nLABEL other=1 l="{escaped}"\n'


def test_valid_values():
    for value in ["1.2.3", "1.2.3-rc.1+build.5", "0.0.0", "1.2.3-0A.is.legal", "1.2.3--"]:
        catches_not("DL3056", label(value), config=SCHEMA)


def test_invalid_values():
    for value in ["1.2", "v1.2.3", "1.2.3.4", "", "01.2.3", "1.2.3-", "1.2.3-a_b", "1.2.3+a+b"]:
        (finding,) = findings("DL3056", label(value), config=SCHEMA)
        assert finding.line == 2, value
        assert finding.message == "Label `l` does not conform to semantic versioning."


def test_other_labels_and_no_schema():
    catches_not("DL3056", 'FROM x\nLABEL other="not valid at all"\n', config=SCHEMA)
    catches_not("DL3056", label("1.2"))
