import pytest

from tests.rules.helpers import catches, catches_not, fixed


@pytest.mark.parametrize("user", ["12345", "1234:5678", ":1000"])
def test_numeric(user):
    catches_not("DL3066", f"FROM debian:12\nUSER {user}\n")


@pytest.mark.parametrize("user", ["foobar", "foobar:barfoo", "root", "$APP_UID"])
def test_non_numeric(user):
    catches("DL3066", f"FROM debian:12\nUSER {user}\n")


def test_declared_arg():
    catches_not("DL3066", "ARG APP_UID\nFROM foobar:barfoo\nUSER ${APP_UID}\n")
    catches_not("DL3066", "FROM debian:12\nARG APP_UID=app\nUSER $APP_UID:$APP_UID\n")


def test_env_with_numeric_value():
    catches_not("DL3066", "FROM debian:12\nENV UID=1000\nUSER $UID\n")
    catches("DL3066", "FROM debian:12\nENV UID=app\nUSER $UID\n")


def test_arg_declared_after_use_does_not_count():
    catches("DL3066", "FROM debian:12\nUSER ${APP_UID}\nARG APP_UID\n")


def test_onbuild_not_checked():
    catches_not("DL3066", "FROM debian:12\nONBUILD USER app\n")


def test_fix_root_to_zero():
    assert fixed("DL3066", "FROM debian:12\nUSER root\nRUN true\n") == "FROM debian:12\nUSER 0\nRUN true\n"
    assert fixed("DL3066", "FROM debian:12\nUSER root:root\n") == "FROM debian:12\nUSER 0:0\n"


def test_no_fix_for_other_names():
    (finding,) = catches("DL3066", "FROM debian:12\nUSER app\n")
    assert finding.fix is None
    (finding,) = catches("DL3066", "FROM debian:12\nUSER root:staff\n")
    assert finding.fix is None
