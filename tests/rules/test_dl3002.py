from tests.rules.helpers import catches, catches_not, lines


def test_root_user_in_last_stage():
    for user in ("root", "0", "root:root", "0:0"):
        assert lines("DL3002", f"FROM scratch\nUSER {user}\n") == [2]


def test_non_root_user():
    catches_not("DL3002", "FROM scratch\nUSER foo\n")
    catches_not("DL3002", "FROM scratch\nUSER rootless\n")
    catches_not("DL3002", "FROM scratch\nUSER 1000:0\n")
    catches_not("DL3002", "FROM scratch\nUSER root\nRUN something\nUSER foo\n")


def test_root_inherited_from_the_stage_built_from_is_reported_where_set():
    dockerfile = "FROM debian:12 AS base\nUSER root\nRUN something\nFROM base\nRUN something else\n"
    assert lines("DL3002", dockerfile) == [2]


def test_root_in_a_builder_stage_is_fine():
    # hadolint reports line 2 here; the builder never runs as the final container.
    catches_not("DL3002", "FROM debian:12 AS base\nUSER root\nRUN something\nFROM scratch\nUSER foo\nRUN x\n")
    catches_not("DL3002", "FROM debian:12 AS build\nUSER root\nFROM debian:12\nCOPY --from=build /a /a\n")
    catches_not("DL3002", "FROM debian:12 AS base\nUSER root\nRUN something\nUSER foo\nFROM scratch\nRUN x\n")


def test_last_stage_user_overrides_the_inherited_one():
    catches_not("DL3002", "FROM debian:12 AS base\nUSER root\nFROM base\nUSER app\n")
    assert lines("DL3002", "FROM debian:12 AS base\nUSER app\nFROM base\nUSER root\n") == [4]


def test_variables_are_expanded():
    catches("DL3002", "FROM debian:12\nARG RUN_AS=root\nUSER ${RUN_AS}\n")
    catches_not("DL3002", "FROM debian:12\nARG RUN_AS=app\nUSER ${RUN_AS}\n")
    catches_not("DL3002", "FROM debian:12\nUSER ${RUN_AS}\n")


def test_no_stage():
    catches_not("DL3002", "USER root\n")
