from codi.pipeline.config import LintConfig
from tests.rules.helpers import catches, catches_not

STRICT = LintConfig(label_schema={"required": "text"}, strict_labels=True)


def test_only_schema_labels():
    catches_not("DL3050", "FROM x\n", config=STRICT)
    catches_not("DL3050", 'FROM x\nLABEL required="foo"\n', config=STRICT)
    catches("DL3050", 'FROM x\nLABEL other="bar"\n', config=STRICT)
    catches("DL3050", 'FROM x\nLABEL required="foo" other="bar"\n', config=STRICT)


def test_needs_strict_labels():
    catches_not("DL3050", 'FROM x\nLABEL other="bar"\n', config=LintConfig(label_schema={"required": "text"}))
