from codi.pipeline.config import LintConfig
from tests.rules.helpers import catches_not, findings

SCHEMA = LintConfig(label_schema={"emptylabel": "text"})


def test_empty_schema_label():
    (finding,) = findings("DL3051", 'FROM x\nLABEL emptylabel=""\n', config=SCHEMA)
    assert finding.message == "label `emptylabel` is empty."
    assert finding.line == 2


def test_not_empty_or_not_in_schema():
    catches_not("DL3051", 'FROM x\nLABEL emptylabel="foo"\n', config=SCHEMA)
    catches_not("DL3051", 'FROM x\nLABEL other=""\n', config=SCHEMA)
    catches_not("DL3051", 'FROM x\nLABEL emptylabel=""\n')
