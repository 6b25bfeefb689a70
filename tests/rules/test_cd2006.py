from tests.rules.helpers import catches, catches_not, fixed


def test_shell_form_list_without_exec():
    found = catches("CD2006", "FROM x:1\nENTRYPOINT cd /app && node server.js\n", count=1)
    assert found[0].line == 2


def test_fix_execs_the_last_command():
    assert fixed("CD2006", "FROM x:1\nENTRYPOINT cd /app && node server.js\n") == (
        "FROM x:1\nENTRYPOINT cd /app && exec node server.js\n"
    )
    assert fixed("CD2006", 'FROM x:1\nENTRYPOINT locust --host="$HOST" 2>&1\n') == (
        'FROM x:1\nENTRYPOINT exec locust --host="$HOST" 2>&1\n'
    )


def test_fix_keeps_continuation_layout():
    before = "FROM x:1\nENTRYPOINT redis-server --daemonize yes \\\n  && /go/bin/api\n"
    assert fixed("CD2006", before) == "FROM x:1\nENTRYPOINT redis-server --daemonize yes \\\n  && exec /go/bin/api\n"


def test_plain_command_is_dl3025s():
    catches_not("CD2006", "FROM x:1\nENTRYPOINT node server.js\n")
    catches_not("CD2006", 'FROM x:1\nENTRYPOINT ["node", "server.js"]\n')


def test_exec_trap_and_wait_are_fine():
    catches_not("CD2006", "FROM x:1\nENTRYPOINT cd /app && exec node server.js\n")
    catches_not("CD2006", "FROM x:1\nENTRYPOINT trap 'kill 0' TERM; a & b & wait\n")


def test_no_fix_inside_a_loop_or_pipeline():
    found = catches("CD2006", "FROM x:1\nENTRYPOINT while true; do ./app; done\n")
    assert found[0].fix is None
    found = catches("CD2006", "FROM x:1\nENTRYPOINT ./app | tee /log\n")
    assert found[0].fix is None


def test_heredoc_entrypoint_script():
    script = "FROM x:1\nCOPY --chmod=755 <<EOF /entry.sh\n#!/bin/sh\nset -e\nmigrate\n{last}\nEOF\nENTRYPOINT {entry}\n"
    found = catches("CD2006", script.format(last='node server.js "$@"', entry='["/entry.sh"]'), count=1)
    assert "/entry.sh" in found[0].message and found[0].fix is None
    catches("CD2006", script.format(last="node server.js", entry='["sh", "/entry.sh"]'))
    catches_not("CD2006", script.format(last='exec node server.js "$@"', entry='["/entry.sh"]'))
    catches_not("CD2006", script.format(last="node server.js", entry='["/other.sh"]'))


def test_windows_shell_is_skipped():
    catches_not("CD2006", 'FROM x:1\nSHELL ["powershell", "-Command"]\nENTRYPOINT cd C:/app; ./app.exe\n')
