from codi.pipeline.config import LintConfig
from codi.pipeline.findings import Severity
from tests.rules.helpers import catches_not, lines

ENABLED = LintConfig(overrides={"DL1001": Severity.INFO})


def test_inline_ignore_pragma_is_reported_on_its_line():
    assert lines("DL1001", "# hadolint ignore=DL3003\nRUN foo bar\n", config=ENABLED) == [1]
    assert lines("DL1001", "FROM debian:12\n# codi ignore=DL3008,DL3015\nRUN foo\n", config=ENABLED) == [2]


def test_other_comments_and_pragmas_are_fine():
    catches_not("DL1001", "# hadolint shell=powershell\nRUN foo bar\n", config=ENABLED)
    catches_not("DL1001", "# foobar\nRUN foo bar\n", config=ENABLED)
    catches_not("DL1001", "FROM debian\nRUN foo bar\n", config=ENABLED)
    catches_not("DL1001", "# hadolint global ignore=DL3003\nRUN cd /x\n", config=ENABLED)
    catches_not("DL1001", "FROM debian:12\n# hadolint stage ignore=DL3003\nRUN cd /x\n", config=ENABLED)


def test_off_by_default():
    catches_not("DL1001", "# hadolint ignore=DL3003\nRUN foo bar\n")
