from tests.rules.helpers import catches, catches_not, findings, fixed, lines

BASE = "FROM debian:12\n"


def test_shell_form_is_flagged():
    catches("DL3025", "FROM node as foo\nENTRYPOINT something\n")
    catches("DL3025", "FROM node as foo\nCMD something\n")
    catches("DL3025", "HEALTHCHECK CMD foobar\n")
    catches("DL3025", "HEALTHCHECK --interval=5s CMD curl -f http://localhost/\n")
    catches("DL3025", BASE + "CMD ['single', 'quotes']\n")
    assert lines("DL3025", BASE + "CMD python \\\n  app.py\n") == [2]


def test_json_form_is_fine():
    catches_not("DL3025", 'FROM scratch as build\nENTRYPOINT ["foo", "bar"]\n')
    catches_not("DL3025", 'FROM scratch as build\nCMD ["foo", "bar"]\nCMD [ "foo", "bar" ]\n')
    catches_not("DL3025", 'HEALTHCHECK CMD [ "foobar" ]\n')
    catches_not("DL3025", "HEALTHCHECK NONE\n")
    catches_not("DL3025", 'CMD [ "/bin/sh", "-c", \\\n      "echo foo && \\\n       echo bar" \\\n    ]\n')
    catches_not("DL3025", BASE + "ONBUILD CMD something\n")


def test_fix_cmd_is_safe():
    assert fixed("DL3025", BASE + "CMD python app.py\n") == BASE + 'CMD ["python", "app.py"]\n'
    assert fixed("DL3025", BASE + "cmd  gunicorn -b 0.0.0.0:8000 --workers=2 app:wsgi\n") == (
        BASE + 'cmd  ["gunicorn", "-b", "0.0.0.0:8000", "--workers=2", "app:wsgi"]\n'
    )
    assert fixed("DL3025", BASE + "CMD echo 'hello world' \"done\"\n") == BASE + 'CMD ["echo", "hello world", "done"]\n'


def test_fix_keeps_continuation_layout():
    assert fixed("DL3025", BASE + "CMD python \\\n    app.py \\\n    --port 80\n") == (
        BASE + 'CMD ["python", \\\n    "app.py", \\\n    "--port", "80"]\n'
    )


def test_fix_healthcheck():
    assert fixed("DL3025", BASE + "HEALTHCHECK --interval=5s CMD curl -f http://localhost/\n") == (
        BASE + 'HEALTHCHECK --interval=5s CMD ["curl", "-f", "http://localhost/"]\n'
    )


def test_entrypoint_fix_is_unsafe():
    text = BASE + "ENTRYPOINT nginx -c /etc/nginx.conf\n"
    assert findings("DL3025", text)[0].fix.applicability.value == "unsafe"
    assert fixed("DL3025", text, unsafe=True) == BASE + 'ENTRYPOINT ["nginx", "-c", "/etc/nginx.conf"]\n'


def test_cmd_next_to_an_entrypoint_is_unsafe():
    text = 'FROM debian:12 AS base\nENTRYPOINT ["tini", "--"]\nFROM base\nCMD python app.py\n'
    assert findings("DL3025", text)[0].fix.applicability.value == "unsafe"


def test_no_fix_when_the_shell_matters():
    for command in (
        "python $APP",
        "python ${APP}",
        "node *.js",
        "java -jar ~/app.jar",
        "nginx -g 'daemon off;' && true",
        "app > /var/log/app.log",
        "app | tee log",
        "a; b",
        'echo "$HOME"',
        "echo \\$HOME",
        "FOO=1 app",
        "exec app",
        "cd /app",
        "app `date`",
        "echo {a,b}",
    ):
        found = catches("DL3025", BASE + f"CMD {command}\n")
        assert found[0].fix is None, command


def test_no_fix_with_custom_shell_or_embedded_comment():
    found = catches("DL3025", BASE + 'SHELL ["/bin/bash", "-lc"]\nCMD python app.py\n')
    assert found[0].fix is None
    found = catches("DL3025", BASE + "CMD python \\\n# the app\n  app.py\n")
    assert found[0].fix is None
