from tests.rules.helpers import catches_not, lines


def test_copy_then_extract():
    assert lines("DL3010", "COPY packaged-app.tar /usr/src/app\nRUN tar -xf /usr/src/app/packaged-app.tar\n") == [1]
    dockerfile = (
        "COPY packaged-app.tar /usr/src/app\nWORKDIR /usr/src/app\n"
        "RUN foo bar && echo something && tar -xf packaged-app.tar\n"
    )
    assert lines("DL3010", dockerfile) == [1]
    assert lines("DL3010", "COPY foo/bar/packaged-app.tar /foo.tar\nRUN tar -xf /foo.tar\n") == [1]
    assert lines("DL3010", "FROM debian:12\nCOPY app.tgz /tmp/\nRUN tar --extract -f /tmp/app.tgz\n") == [2]
    assert lines("DL3010", "FROM debian:12\nCOPY data.gz /tmp/\nRUN gunzip /tmp/data.gz\n") == [2]
    assert lines("DL3010", 'FROM debian:12\nCOPY ["a.tar.xz", "/tmp/"]\nRUN tar xf x && unxz /tmp/a.tar.xz\n') == [2]


def test_windows_paths():
    dockerfile = (
        'COPY build\\foo\\bar.tar.gz "C:\\Program Files\\Foo"\n'
        'RUN tar -xf "C:\\Program Files\\Foo\\bar.tar.gz"\n'
    )
    assert lines("DL3010", dockerfile) == [1]
    dockerfile = 'COPY build\\foo\\bar.tar.gz "C:\\Program Files\\foo.tar.gz"\nRUN tar -xf foo.tar.gz\n'
    assert lines("DL3010", dockerfile) == [1]


def test_every_stage_is_checked():
    # hadolint only reports the last stage.
    dockerfile = "FROM debian:12 AS a\nCOPY app.tar /\nRUN tar -xf /app.tar\nFROM debian:12\nRUN true\n"
    assert lines("DL3010", dockerfile) == [2]


def test_no_extraction():
    new_stage = "COPY packaged-app.tar /usr/src/app\nFROM debian:11 as newstage\nRUN tar -xf packaged-app.tar\n"
    catches_not("DL3010", new_stage)
    catches_not("DL3010", "COPY package.json /usr/src/app\n")
    catches_not("DL3010", "COPY --from=builder /usr/local/share/some.tar /opt/some.tar\nRUN tar -xf /opt/some.tar\n")
    catches_not("DL3010", "COPY app.tar /tmp/\nRUN tar -cf /tmp/app.tar /src\n")
    catches_not("DL3010", "COPY app.tar /tmp/\nRUN tar -cf /out.tar --exclude x /tmp/app.tar\n")
    catches_not("DL3010", "COPY app.tar /tmp/\nRUN tar -xf /tmp/other.tar\n")
