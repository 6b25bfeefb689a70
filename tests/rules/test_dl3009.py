from codi.pipeline.edits import Applicability
from codi.pipeline.lint import fix_text
from tests.rules.helpers import catches, catches_not, findings, fixed, lines

INSTALL = "apt-get update && apt-get install python"
CLEANUP = "rm -rf /var/lib/apt/lists/*"


def test_no_cleanup():
    catches("DL3009", "FROM scratch\nRUN apt-get update && apt-get install python\n")
    catches("DL3009", "FROM scratch\nRUN apt update && apt install python\n")
    catches("DL3009", "FROM scratch\nRUN aptitude update && aptitude install python\n")
    catches("DL3009", "RUN apt-get update && apt-get install python\n")


def test_cleanup_forms():
    catches_not("DL3009", f"FROM scratch\nRUN {INSTALL} && {CLEANUP}\n")
    catches_not("DL3009", f"FROM scratch\nRUN apt update && apt install python && {CLEANUP}\n")
    catches_not("DL3009", f"FROM scratch\nRUN aptitude update && aptitude install python && {CLEANUP}\n")
    catches_not("DL3009", "FROM scratch\nRUN apt-get update && apt-get install x && rm /var/lib/apt/lists/*_*\n")
    catches_not("DL3009", "FROM scratch\nRUN apt-get update && apt-get install x && apt-get dist-clean\n")
    catches_not(
        "DL3009",
        "FROM scratch\nRUN apt-get update && apt-get install x && find /var/lib/apt/lists -type f -delete\n",
    )


def test_cleanup_must_touch_the_lists():
    # hadolint takes any `rm -rf`.
    catches("DL3009", "FROM scratch\nRUN apt-get update && apt-get install x && rm -rf /tmp/*\n")


def test_only_stages_that_end_up_in_an_image():
    catches_not("DL3009", f"FROM ubuntu:24.04 as foo\nRUN {INSTALL}\nFROM scratch\nRUN echo hey!\n")
    assert lines("DL3009", f"FROM ubuntu:24.04 as foo\nRUN hey!\nFROM scratch\nRUN {INSTALL}\n") == [4]
    assert lines("DL3009", f"FROM ubuntu:24.04 as foo\nRUN {INSTALL}\nFROM foo\nRUN hey!\n") == [2]
    catches_not("DL3009", f"FROM ubuntu:24.04 as foo\nRUN {INSTALL} && {CLEANUP}\nFROM foo\nRUN hey!\n")


def test_onbuild_is_always_reported():
    assert lines("DL3009", f"FROM ubuntu:24.04 as foo\nONBUILD RUN {INSTALL}\nFROM scratch\n") == [2]
    catches_not("DL3009", f"FROM scratch\nONBUILD RUN {INSTALL} && {CLEANUP}\n")


def test_cache_and_tmpfs_mounts():
    catches_not("DL3009", f"RUN --mount=type=cache,target=/var/lib/apt/lists \\\n    {INSTALL}\n")
    catches_not("DL3009", "RUN --mount=type=tmpfs,target=/var/lib/apt/lists apt-get update\n")
    both = (
        "RUN --mount=type=cache,target=/var/lib/apt \\\n    --mount=type=cache,target=/var/cache/apt \\\n"
        "    rm -f /etc/apt/apt.conf.d/docker-clean && \\\n    apt-get update && apt-get install python\n"
    )
    catches_not("DL3009", both)
    tmpfs_cache = "--mount=type=tmpfs,target=/var/cache/apt"
    cache_lib = "--mount=type=cache,target=/var/lib/apt"
    catches_not("DL3009", f"RUN \\\n  {tmpfs_cache} \\\n  {cache_lib} \\\n  apt-get update\n")
    catches_not("DL3009", f"RUN {tmpfs_cache} --mount=type=tmpfs,dst=/var/lib/apt apt-get update\n")
    catches("DL3009", f"RUN --mount=type=cache,target=/var/cache/apt \\\n    {INSTALL}\n")
    catches("DL3009", f"RUN rm -f /etc/apt/apt.conf.d/docker-clean\nRUN {cache_lib} apt-get update\n")
    catches("DL3009", "RUN --mount=type=bind,target=/var/lib/apt/lists apt-get update\n")


def test_fix_appends_after_the_last_apt_command():
    before = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n"
    assert fixed("DL3009", before) == (
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    )


def test_fix_keeps_continuation_layout():
    before = """\
        FROM debian:12
        RUN apt-get update \\
         && apt-get install -y \\
              curl \\
              git \\
         && pip install --no-cache-dir poetry==1.8.5
        """
    assert fixed("DL3009", before) == (
        "FROM debian:12\n"
        "RUN apt-get update \\\n"
        " && apt-get install -y \\\n"
        "      curl \\\n"
        "      git && rm -rf /var/lib/apt/lists/* \\\n"
        " && pip install --no-cache-dir poetry==1.8.5\n"
    )


def test_fix_after_semicolon_lists_and_apt_clean():
    before = "FROM debian:12\nRUN set -eux; apt-get update; apt-get install -y curl; apt-get clean; echo done\n"
    assert fixed("DL3009", before) == (
        "FROM debian:12\n"
        "RUN set -eux; apt-get update; apt-get install -y curl; apt-get clean && rm -rf /var/lib/apt/lists/*;"
        " echo done\n"
    )


def test_fix_inside_onbuild():
    before = "FROM debian:12\nONBUILD RUN apt-get update && apt-get install -y curl\n"
    assert fixed("DL3009", before) == (
        "FROM debian:12\nONBUILD RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    )


def test_fix_after_apt_used_through_another_command():
    before = "FROM debian:12\nRUN apt-get update && xargs apt-get install -y < /pkgs.txt\n"
    assert not [f for f in findings("DL3009", before) if f.fix]
    before = "FROM debian:12\nRUN apt-get update && sudo apt-get install -y curl && echo ok\n"
    assert fixed("DL3009", before) == (
        "FROM debian:12\nRUN apt-get update && sudo apt-get install -y curl && rm -rf /var/lib/apt/lists/* && echo ok\n"
    )


def _no_fix(dockerfile: str) -> None:
    found = catches("DL3009", dockerfile)
    assert all(f.fix is None for f in found), f"unexpected fix on:\n{dockerfile}"


def test_no_fix_where_the_insertion_would_change_the_script():
    _no_fix("FROM debian:12\nRUN apt-get update && apt-get install -y curl || true\n")
    _no_fix("FROM debian:12\nRUN apt-get update && apt-get install -y curl | tee /log\n")
    _no_fix("FROM debian:12\nRUN apt-get update && apt-get install -y curl > /log\n")
    _no_fix("FROM debian:12\nRUN apt-get update && apt-get install -y curl &\n")
    _no_fix("FROM debian:12\nRUN apt-get update && for p in a b; do apt-get install -y $p; done\n")
    _no_fix('FROM debian:12\nRUN if [ -n "$X" ]; then apt-get update && apt-get install -y x; fi\n')
    _no_fix("FROM debian:12\nRUN <<EOF\napt-get update\napt-get install -y git\nEOF\n")
    _no_fix('FROM debian:12\nRUN ["apt-get", "update"]\n')
    _no_fix('FROM debian:12\nSHELL ["pwsh", "-c"]\nRUN apt-get update\n')


def test_no_fix_when_the_script_does_not_parse_cleanly():
    _no_fix("FROM debian:12\nRUN apt-get update && apt-get install -y a `# why` b && echo (\n")


def test_fix_in_subshell():
    before = "FROM debian:12\nRUN (apt-get update && apt-get install -y curl)\n"
    assert fixed("DL3009", before) == (
        "FROM debian:12\nRUN (apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*)\n"
    )


def _unsafe_fix(dockerfile: str, reader_line: int) -> None:
    """The fix is offered only as unsafe, naming the later step that may need the lists."""
    found = catches("DL3009", dockerfile)
    assert all(f.fix is not None and f.fix.applicability is Applicability.UNSAFE for f in found), f"expected an unsafe fix on:\n{dockerfile}"
    assert all(f"line {reader_line} may still need the apt lists" in f.fix.description for f in found)


def test_update_and_install_split_over_two_runs():
    """The issue's case: the lists deleted after `apt-get update` would make the next RUN's install fail."""
    dockerfile = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n"
    _unsafe_fix(dockerfile, 3)
    assert CLEANUP not in fix_text(dockerfile), "`codi fix` must not delete the lists the install needs"
    assert fix_text(dockerfile, unsafe=True).splitlines()[1] == f"RUN apt-get update && {CLEANUP}"


def test_fix_is_safe_after_the_stages_last_apt_use():
    before = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN curl --version\n"
    assert fixed("DL3009", before) == (
        "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
        "RUN curl --version\n"
    )
    # Removing packages needs no lists; a later `apt-get update` fetches them again.
    for later in ("RUN apt-get purge -y curl && apt-get autoremove -y", "RUN apt-get update && apt-get install -y git"):
        found = catches("DL3009", f"FROM debian:12\nRUN apt-get update && apt-get install -y curl\n{later}\n")
        assert found[0].fix is not None and found[0].fix.applicability is Applicability.SAFE, later


def test_later_readers_make_the_fix_unsafe():
    first = "FROM debian:12 AS base\nRUN apt-get update && apt-get install -y curl\n"
    _unsafe_fix(first + "RUN apt-get install -y git\n", 3)
    _unsafe_fix(first + "COPY . .\nRUN apt-cache policy curl\n", 4)
    _unsafe_fix(first + "RUN ./install-deps.sh\n", 3)
    _unsafe_fix(first + "ONBUILD RUN apt-get install -y git\n", 3)
    # A stage built FROM this one starts with its files, lists included.
    _unsafe_fix(first + "FROM base\nRUN apt-get install -y git\n", 4)
    _unsafe_fix(first + "FROM debian:12\nCOPY --from=base /var/lib/apt/lists /var/lib/apt/lists\nFROM base\n", 4)
    # The rest of the same RUN counts too.
    _unsafe_fix("FROM debian:12\nRUN apt-get update && apt-get install -y curl && ./install.sh\n", 2)
    _unsafe_fix("FROM debian:12\nRUN apt-get update && apt-get install -y curl && bash -c 'make'\n", 2)


def test_unrelated_stages_do_not_count():
    before = "FROM debian:12 AS base\nRUN apt-get update && apt-get install -y curl\nFROM debian:12\nRUN apt-get install -y git\n"
    assert all(f.fix is not None and f.fix.applicability is Applicability.SAFE for f in findings("DL3009", before) if f.line == 2)
