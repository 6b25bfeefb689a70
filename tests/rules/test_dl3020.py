from tests.rules.helpers import catches, catches_not, fixed, lines

BASE = "FROM debian:12\n"


def test_archives_and_urls_are_fine():
    for source in ("file.tar", "file.gz", "file.bz2", "file.xz", "file.tgz", "http://file.com", '"file.tgz"',
                   '"http://file.com"', "https://x.org/a.sh"):
        catches_not("DL3020", BASE + f"ADD {source} /usr/src/app/\n")
    catches_not("DL3020", BASE + 'ADD ["file.tar", "/usr/src/app/"]\n')
    catches_not("DL3020", BASE + "ADD --keep-git-dir=true https://github.com/x/y.git#v1 .\n")


def test_plain_files_are_flagged():
    for source in ("file", "file.zip", '"file.zip"', ". ", "a.tar b"):
        catches("DL3020", BASE + f"ADD {source} /usr/src/app/\n")
    catches("DL3020", BASE + 'ADD ["file", "/usr/src/app/"]\n')
    assert lines("DL3020", BASE + "ADD a \\\n  /app/\n") == [2]


def test_onbuild_is_not_checked():
    catches_not("DL3020", BASE + "ONBUILD ADD file /app/\n")


def test_fix_replaces_keyword_keeping_case():
    assert fixed("DL3020", BASE + "ADD app.py /app/\n") == BASE + "COPY app.py /app/\n"
    assert fixed("DL3020", BASE + "add app.py /app/\n") == BASE + "copy app.py /app/\n"
    assert fixed("DL3020", BASE + "Add app.py /app/\n") == BASE + "Copy app.py /app/\n"
    assert fixed("DL3020", BASE + 'ADD --chown=1:1 --link ["a b", "/app/"]\n') == (
        BASE + 'COPY --chown=1:1 --link ["a b", "/app/"]\n'
    )
    assert fixed("DL3020", BASE + "ADD \\\n  src/ \\\n  /app/\n") == BASE + "COPY \\\n  src/ \\\n  /app/\n"


def test_fix_expands_known_variables():
    before = BASE + "ARG SRC=conf\nADD ${SRC}/app.ini /etc/\n"
    assert fixed("DL3020", before) == BASE + "ARG SRC=conf\nCOPY ${SRC}/app.ini /etc/\n"


def test_no_fix_when_meaning_could_change():
    for line in (
        "ADD file.tar.zst other /app/",  # an archive next to a plain file
        "ADD app.tar.zst /app/",
        "ADD $SRC /app/",  # unknown value
        "ADD --checksum=sha256:abc file /app/",
        "ADD src/* /app/",
        "ADD git@github.com:moby/buildkit.git local.conf /src/",  # a clone next to a local file
    ):
        found = catches("DL3020", BASE + line + "\n")
        assert found[0].fix is None, line
    found = catches("DL3020", BASE + "ARG SRC=https://x.org/a\nADD ${SRC} /app/\n")
    assert found[0].fix is None


def test_git_sources_are_remote():
    """Checkov/Trivy fixtures: ADD clones a git repository, which COPY cannot."""
    for source in (
        "git@github.com:moby/buildkit.git",
        "git@gitlab.example.com:team/app.git#v1.2",
        "deploy@git.example.com:repo.git",
        "git://github.com/moby/buildkit.git",
        "ssh://git@github.com/moby/buildkit.git",
    ):
        catches_not("DL3020", BASE + f"ADD {source} /src/\n")
    catches_not("DL3020", BASE + 'ADD ["git@github.com:moby/buildkit.git", "/src/"]\n')


def test_near_git_addresses_stay_local():
    for source in ("git@host", "user@example.com", "src/git@host:x", "./git@host:repo.git"):
        assert fixed("DL3020", BASE + f"ADD {source} /src/\n") == BASE + f"COPY {source} /src/\n"
