"""Input caps: which Dockerfiles are analysed, and the reason each skipped one is given."""

from __future__ import annotations

from dataclasses import dataclass

from codi.pipeline.limits import (
    MIB,
    InputLimits,
    SkippedFile,
    instruction_count,
    size_cap_broken,
    within_file_count,
    within_size_caps,
)


@dataclass(frozen=True)
class File:
    path: str
    text: str


def test_the_default_caps() -> None:
    assert InputLimits() == InputLimits(max_bytes=MIB, max_line_bytes=64 * 1024, max_instructions=10_000, max_files=50)


def test_a_file_over_the_size_cap_names_its_size_and_the_cap() -> None:
    big = "FROM debian:12\n" + "# padding padding\n" * (3 * MIB // 36)
    assert size_cap_broken(big, InputLimits()) == "is 1.5 MiB, over the cap of 1 MiB"
    assert size_cap_broken(big, InputLimits(max_bytes=2 * MIB)) is None


def test_the_size_cap_counts_utf8_bytes_and_is_inclusive() -> None:
    limits = InputLimits(max_bytes=20)
    assert size_cap_broken("FROM a\n" + "é" * 6 + "\n", limits) is None  # 7 + 12 + 1 = 20 bytes
    assert size_cap_broken("FROM a\n" + "é" * 7 + "\n", limits) == "is 22 bytes, over the cap of 20 bytes"


def test_the_longest_line_is_named_with_its_number() -> None:
    text = "FROM debian:12\nRUN true\nRUN echo " + "x" * (70 * 1024) + "\nRUN true\n"
    assert size_cap_broken(text, InputLimits()) == "line 3 is 70 KiB long, over the cap of 64 KiB per line"
    assert size_cap_broken(text, InputLimits(max_line_bytes=80 * 1024)) is None


def test_instructions_are_counted_without_blanks_comments_or_continuations() -> None:
    text = (
        "# syntax=docker/dockerfile:1\n"
        "FROM debian:12\n"
        "\n"
        "RUN apt-get update \\\n"
        "    # a comment inside\n"
        "    && apt-get install -y curl\n"
        "COPY . /app\n"
    )
    assert instruction_count(text) == 3
    assert size_cap_broken(text, InputLimits(max_instructions=3)) is None
    assert size_cap_broken(text, InputLimits(max_instructions=2)) == "has 3 instructions, over the cap of 2"


def test_ten_thousand_instructions_pass_and_one_more_does_not() -> None:
    body = "RUN true\n" * 9_999
    assert size_cap_broken("FROM a\n" + body, InputLimits()) is None
    assert size_cap_broken("FROM a\n" + body + "RUN true\n", InputLimits()) == (
        "has 10,001 instructions, over the cap of 10,000"
    )


def test_files_past_the_count_cap_are_skipped_in_order() -> None:
    paths = [f"svc{i}/Dockerfile" for i in range(5)]
    kept, skipped = within_file_count(paths, InputLimits(max_files=3))
    assert kept == paths[:3]
    reason = "the pull request changes 5 Dockerfiles, over the cap of 3"
    assert skipped == [SkippedFile("svc3/Dockerfile", reason), SkippedFile("svc4/Dockerfile", reason)]
    assert within_file_count(paths, InputLimits(max_files=5)) == (paths, [])


def test_size_caps_keep_the_files_within_and_name_the_others() -> None:
    small = File("a/Dockerfile", "FROM a\n")
    long_line = File("b/Dockerfile", "FROM a\nRUN " + "y" * 200 + "\n")
    kept, skipped = within_size_caps([small, long_line], InputLimits(max_line_bytes=100))
    assert kept == [small]
    assert skipped == [SkippedFile("b/Dockerfile", "line 2 is 204 bytes long, over the cap of 100 bytes per line")]
