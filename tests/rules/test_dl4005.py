from tests.rules.helpers import catches, catches_not


def test_ln_to_bin_sh():
    catches("DL4005", "FROM debian:12\nRUN ln -sfv /bin/bash /bin/sh\n")
    catches("DL4005", "FROM debian:12\nONBUILD RUN ln -sfv /bin/bash /bin/sh\n")


def test_unrelated_links():
    catches_not("DL4005", "FROM debian:12\nRUN ln -sf /bin/true /sbin/initctl\n")
    catches_not("DL4005", "FROM debian:12\nRUN ln -s foo bar && unrelated && something_with /bin/sh\n")
