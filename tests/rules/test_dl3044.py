from tests.rules.helpers import catches, catches_not


def test_reference_to_a_variable_of_the_same_env():
    catches("DL3044", 'FROM debian:12\nENV BLA="blubb" BLUBB="${BLA}/blubb"\n')
    catches("DL3044", 'FROM debian:12\nENV BLA="blubb" BLUBB="$BLA/blubb"\n')
    catches("DL3044", 'FROM debian:12\nENV BLA="blubb" BLUBB="$BLA"\n')
    catches("DL3044", 'FROM debian:12\nENV BLA="blubb" BLUBB="$BLA/$BLAFOO/blubb"\n')
    catches("DL3044", "FROM debian:12\nENV PATH=/bla:${PATH} PATH=/blubb:${PATH}\n")
    catches("DL3044", "FROM debian:12\nENV BLUBB=${BLA:-x} BLA=1\n")


def test_no_reference_or_partial_names():
    catches_not("DL3044", 'FROM debian:12\nENV BLA="blubb"\nENV BLUBB="${BLA}/blubb"\n')
    for value in ("${FOOBLA}/blubb", "${BLAFOO}/blubb", "$FOOBLA/blubb", "$BLAFOO/blubb", "BLA/$BLAFOO/BLA"):
        catches_not("DL3044", f'FROM debian:12\nENV BLA="blubb" BLUBB="{value}"\n')
    catches_not("DL3044", "FROM debian:12\nENV PATH=/bla:${PATH}\nENV PATH=/blubb:${PATH}\n")


def test_previously_defined_in_scope():
    catches_not("DL3044", "FROM debian:12\nARG BLA\nENV BLA=${BLA} X=$BLA\n")
    catches_not("DL3044", "FROM debian:12\nENV BLA blubb\nENV BLA=x X=${BLA}\n")
    catches_not("DL3044", "FROM debian:12 AS base\nENV BLA=1\nFROM base\nENV BLA=2 X=${BLA}\n")
    catches("DL3044", "FROM debian:12 AS base\nENV BLA=1\nFROM debian:12\nENV BLA=2 X=${BLA}\n")


def test_single_quotes_and_escapes_do_not_expand():
    catches_not("DL3044", "FROM debian:12\nENV BLA=1 X='$BLA'\n")
    catches_not("DL3044", "FROM debian:12\nENV BLA=1 X=\\$BLA\n")
