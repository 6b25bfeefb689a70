from codi.pipeline.config import LintConfig
from tests.rules.helpers import catches_not, findings

SCHEMA = LintConfig(label_schema={"l": "spdx", "other": "text"})


def label(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'FROM x\nLABEL other=1 l="{escaped}"\n'


def test_valid_values():
    for value in ["MIT", "Apache-2.0", "GPL-2.0-only", "BSD-3-Clause", "MIT-Khronos-old"]:
        catches_not("DL3054", label(value), config=SCHEMA)


def test_invalid_values():
    for value in [
        "mit",
        "MIT OR Apache-2.0",
        "GPL-2.0",
        "GPL-2.0+",
        "",
        "LicenseRef-foo",
        "Apache 2",
    ]:
        (finding,) = findings("DL3054", label(value), config=SCHEMA)
        assert finding.line == 2, value
        assert finding.message == "Label `l` is not a valid SPDX identifier."


def test_other_labels_and_no_schema():
    catches_not("DL3054", 'FROM x\nLABEL other="not valid at all"\n', config=SCHEMA)
    catches_not("DL3054", label("mit"))
