from tests.rules.helpers import catches, catches_not


def test_relative_destination_without_workdir():
    catches("DL3045", "FROM debian:12\nCOPY bla.sh blubb.sh\n")
    catches("DL3045", 'FROM debian:12\nCOPY bla.sh "blubb.sh"\n')
    catches("DL3045", "FROM debian:12\nCOPY a b\n")
    catches("DL3045", "FROM debian:12\nCOPY . .\n")
    catches("DL3045", 'FROM debian:12\nCOPY ["a", "b"]\n')
    catches("DL3045", "FROM debian:12\nCOPY app.py .\nWORKDIR /app\n")


def test_absolute_windows_or_variable_destination():
    for dest in ("/usr/local/bin/blubb.sh", '"/usr/local/bin/x"', "c:\\system32\\blubb.sh", '"c:\\system32\\x"',
                 "c:/system32/blubb.sh", "${SRC_BASE_ENV}", "$SRC_BASE_ENV", '"${SRC_BASE_ENV}"', '"$SRC_BASE_ENV"'):
        catches_not("DL3045", f"FROM debian:12\nCOPY bla.sh {dest}\n")


def test_workdir_in_stage():
    catches_not("DL3045", "FROM scratch\nWORKDIR /usr\nCOPY bla.sh blubb.sh\n")
    catches_not("DL3045", "FROM scratch\nWORKDIR c:\\system32\nCOPY bla.sh blubb.sh\n")


def test_workdir_inherited_only_from_parent_stages():
    catches("DL3045", "FROM debian:buster as stage1\nWORKDIR /usr\nFROM debian:buster\nCOPY foo bar\n")
    catches("DL3045", "FROM debian:buster\nWORKDIR /usr\nFROM debian:buster\nCOPY foo bar\n")
    catches_not(
        "DL3045",
        "FROM debian:buster as base\nWORKDIR /usr\nFROM debian:buster as other\nRUN foo\nFROM base\nCOPY foo bar\n",
    )
    catches_not(
        "DL3045",
        "FROM debian:buster as base1\nWORKDIR /usr\nFROM base1 as base2\nRUN foo\nFROM base2\nCOPY foo bar\n",
    )
