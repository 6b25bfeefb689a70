from tests.rules.helpers import catches, catches_not, findings, fixed


def test_maintainer_is_reported():
    catches("DL4000", "FROM busybox\nMAINTAINER hudu@mail.com\n")
    catches_not("DL4000", 'FROM busybox\nLABEL maintainer="hudu@mail.com"\n')


def test_fix_replaces_with_label():
    assert fixed("DL4000", "FROM busybox\nMAINTAINER Jane Doe <jane@example.com>\n") == (
        'FROM busybox\nLABEL maintainer="Jane Doe <jane@example.com>"\n'
    )


def test_fix_escapes_quotes_dollars_and_backslashes():
    before = 'FROM busybox\n  maintainer  "Jane" $HOME a\\b  \n'
    assert fixed("DL4000", before) == 'FROM busybox\n  LABEL maintainer="\\"Jane\\" \\$HOME a\\\\b"  \n'


def test_fix_uses_the_escape_directive():
    before = "# escape=`\nFROM busybox\nMAINTAINER a\"b`c\n"
    assert fixed("DL4000", before) == '# escape=`\nFROM busybox\nLABEL maintainer="a`"b``c"\n'


def test_no_fix_for_continued_maintainer():
    (finding,) = findings("DL4000", "FROM busybox\nMAINTAINER Jane \\\n  Doe\n")
    assert finding.fix is None
