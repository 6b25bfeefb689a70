from tests.rules.helpers import catches, catches_not, lines


def test_two_consecutive_single_command_runs():
    assert lines("DL3059", "FROM debian:12\nRUN /foo.sh\nRUN /bar.sh\n") == [3]


def test_comments_and_blank_lines_do_not_separate():
    catches("DL3059", "FROM debian:12\nRUN /foo.sh\n# a comment\n\n# another\nRUN /bar.sh\n")


def test_other_instruction_separates():
    catches_not("DL3059", "FROM debian:12\nRUN /foo.sh\nWORKDIR /\nRUN /bar.sh\n")
    catches_not("DL3059", "FROM debian:12\nRUN /foo.sh\nONBUILD RUN x\nRUN /bar.sh\n")
    catches_not("DL3059", "FROM debian:12\nRUN /foo.sh\nFROM debian:12\nRUN /bar.sh\n")


def test_single_run():
    catches_not("DL3059", "FROM debian:12\nRUN /foo.sh\n")
    catches_not("DL3059", "# a comment\nRUN /foo.sh\n")


def test_different_flags_separate():
    catches_not("DL3059", "FROM debian:12\nRUN --mount=type=secret,id=foo /foo.sh\nRUN /bar.sh\n")
    catches_not(
        "DL3059",
        "FROM debian:12\nRUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=bar /bar.sh\n",
    )
    catches("DL3059", "FROM debian:12\nRUN --mount=type=secret,id=foo /foo.sh\nRUN --mount=type=secret,id=foo /b\n")


def test_chained_commands_are_deliberate():
    for first, second in [
        ("foo && bar", "foobar"),
        ("foo; bar", "foobar"),
        ("foobar", "foo && bar"),
        ("foobar", "foo; bar"),
        ("foo && bar", "foo; bar"),
        ("curl x | sh", "foobar"),
    ]:
        catches_not("DL3059", f"FROM debian:12\nRUN {first}\nRUN {second}\n")


def test_compares_with_last_unreported_run():
    assert lines("DL3059", "FROM debian:12\nRUN foo && bar\nRUN foo\nRUN bar\n") == [4]
    assert lines("DL3059", "FROM debian:12\nRUN a\nRUN b\nRUN c\n") == [3, 4]


def test_command_with_expanded_name_is_not_counted():
    # hadolint counts only commands with a literal name: here just `go`.
    catches("DL3059", "FROM golang:1.22\nRUN mkdir /x\nRUN `go env GOPATH`/bin/tool /x\n")
