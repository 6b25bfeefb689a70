from codi.pipeline.config import LintConfig
from codi.pipeline.findings import Severity
from tests.rules.helpers import catches_not, findings, lines

ON = LintConfig(overrides={"DL3057": Severity.INFO})


def test_ignored_by_default():
    catches_not("DL3057", "FROM scratch\n")


def test_missing():
    assert lines("DL3057", "FROM scratch\n", config=ON) == [1]
    assert lines("DL3057", "FROM scratch AS base\nHEALTHCHECK CMD /bin/bla\nFROM scratch\n", config=ON) == [3]


def test_present_or_disabled():
    catches_not("DL3057", "FROM scratch\nHEALTHCHECK NONE\n", config=ON)
    catches_not("DL3057", "FROM scratch\nHEALTHCHECK CMD /bin/bla\n", config=ON)


def test_inherited_and_chains():
    catches_not("DL3057", "FROM scratch AS base\nHEALTHCHECK CMD /bin/bla\nFROM base\n", config=ON)
    chain = "FROM scratch AS base1\nFROM base1 AS base2\nFROM base2 AS base3\nFROM base3 AS end\nHEALTHCHECK NONE\n"
    catches_not("DL3057", chain, config=ON)


def test_bifurcating_chain():
    dockerfile = (
        "FROM scratch AS base1\nFROM base1 AS base2\nFROM base2 AS base3.1\nFROM base2 AS base3.2\n\n"
        "FROM base3.1 AS end1\nHEALTHCHECK NONE\n\nFROM base3.2 AS end2\n"
    )
    assert lines("DL3057", dockerfile, config=ON) == [4, 9]


def test_sibling_healthcheck_does_not_cover():
    # hadolint passes `b`: its base got "good" from the sibling `a`.
    dockerfile = "FROM scratch AS base\nFROM base AS a\nHEALTHCHECK NONE\nFROM base AS b\n"
    assert lines("DL3057", dockerfile, config=ON) == [4]


def test_same_image_name_is_not_a_parent():
    # hadolint takes `FROM debian` as built on an earlier unnamed `FROM debian`.
    assert lines("DL3057", "FROM debian\nHEALTHCHECK NONE\nFROM debian\n", config=ON) == [3]
    (finding,) = findings("DL3057", "FROM debian\n", config=ON)
    assert finding.message == "`HEALTHCHECK` instruction missing."
