from tests.rules.helpers import catches, catches_not, fixed


def test_missing_non_interactive_switch():
    catches("DL3034", "FROM opensuse/leap\nRUN zypper install httpd=2.4.24 && zypper clean\n")
    catches("DL3034", "FROM opensuse/leap\nONBUILD RUN zypper install httpd=2.4.24 && zypper clean\n")
    for subcommand in ("in", "remove", "rm", "source-install", "si", "patch"):
        catches("DL3034", f"FROM opensuse/leap\nRUN zypper {subcommand} httpd\n")


def test_switch_variants():
    for flag in ("-n", "--non-interactive", "-y", "--no-confirm"):
        catches_not("DL3034", f"FROM opensuse/leap\nRUN zypper install {flag} httpd=2.4.24 && zypper clean\n")
    catches_not("DL3034", "FROM opensuse/leap\nRUN zypper -n in httpd=2.4.24\n")
    catches_not("DL3034", "FROM opensuse/leap\nRUN zypper refresh\n")


def test_fix_adds_global_non_interactive_option():
    before = "FROM opensuse/leap\nRUN zypper install httpd && \\\n    zypper rm vim\n"
    assert fixed("DL3034", before) == (
        "FROM opensuse/leap\nRUN zypper --non-interactive install httpd && \\\n    zypper --non-interactive rm vim\n"
    )


def test_no_fix_for_exec_form():
    assert [f.fix for f in catches("DL3034", 'FROM opensuse/leap\nRUN ["zypper", "install", "httpd"]\n')] == [None]
