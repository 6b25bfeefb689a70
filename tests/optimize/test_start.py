"""Start-command analysis: the effective ENTRYPOINT + CMD, exec conversion, PID 1 and start-up problems."""

from __future__ import annotations

from codi.pipeline.optimize.start import analyze_start
from codi.pipeline.parser import parse

ENTRYPOINT_WITH_EXEC = '#!/bin/sh\nset -e\nif [ "$1" = "serve" ]; then\n  chown -R app /data\nfi\nexec "$@"\n'
ENTRYPOINT_WITHOUT_EXEC = "#!/bin/sh\nset -e\npython manage.py migrate\ngunicorn app:app\n"


def start(text: str, context: dict[str, str] | None = None):
    return analyze_start(parse(text), context)


def test_exec_form_entrypoint_and_cmd_are_joined():
    result = start('FROM python:3.12\nENTRYPOINT ["python", "-m"]\nCMD ["http.server", "8000"]\n')
    assert result.argv == ("python", "-m", "http.server", "8000")
    assert not result.shell_form and result.exec_conversion is None and result.why_not_exec is None
    assert result.problems == ()


def test_no_start_command_in_the_file_is_unknown():
    result = start("FROM nginx:1.27\nCOPY site/ /usr/share/nginx/html/\n")
    assert result.argv is None and not result.shell_form


def test_entrypoint_resets_inherited_cmd_through_stage_chain():
    text = (
        'FROM python:3.12 AS base\nCMD ["python", "app.py"]\n'
        'FROM base AS runtime\nENTRYPOINT ["/usr/bin/tini", "--"]\n'
    )
    assert start(text).argv == ("/usr/bin/tini", "--")
    inherited = 'FROM python:3.12 AS base\nCMD ["python", "app.py"]\nFROM base\nENV X=1\n'
    assert start(inherited).argv == ("python", "app.py")


def test_builder_stages_do_not_count():
    text = 'FROM golang:1.22 AS build\nCMD ["go", "test"]\nFROM scratch\nCOPY --from=build /app /app\n'
    assert start(text).argv is None


def test_plain_shell_form_converts_like_dl3025():
    result = start("FROM node:20\nCMD node server.js --port 3000\n")
    assert result.shell_form
    assert result.argv == ("/bin/sh", "-c", "node server.js --port 3000")
    assert result.exec_conversion == ("node", "server.js", "--port", "3000")
    assert result.why_not_exec is None and result.problems == ()


def test_shell_cmd_after_exec_entrypoint_converts_whole_argv():
    result = start('FROM python:3.12\nENTRYPOINT ["tini", "--"]\nCMD python app.py\n')
    assert result.argv == ("tini", "--", "/bin/sh", "-c", "python app.py")
    assert result.exec_conversion == ("tini", "--", "python", "app.py")


def test_and_chain_cannot_convert_and_keeps_sh_as_pid1():
    result = start("FROM node:20\nCMD npm run migrate && npm start\n")
    assert result.exec_conversion is None
    assert result.why_not_exec == (
        "CMD (line 2): `&&` needs the shell (expansion, glob, operator, redirection or escape)"
    )
    assert result.problems == (
        "`/bin/sh -c` runs several commands and does not `exec` the last (`npm`): "
        "the shell stays PID 1 and does not forward SIGTERM",
    )


def test_exec_of_the_last_command_hands_over_pid1():
    assert start("FROM node:20\nCMD npm run migrate && exec npm start\n").problems == ()


def test_why_not_names_variables_builtins_and_shell():
    assert "$PORT" in start("FROM node:20\nCMD node server.js $PORT\n").why_not_exec
    assert "builtin" in start("FROM node:20\nCMD cd /app\n").why_not_exec
    custom_shell = start('FROM node:20\nSHELL ["/bin/bash", "-c"]\nCMD node server.js\n')
    assert custom_shell.why_not_exec == "CMD (line 3): the stage's SHELL is /bin/bash -c, not /bin/sh -c"


def test_shell_form_entrypoint_drops_cmd():
    result = start('FROM python:3.12\nENTRYPOINT python app.py\nCMD ["--debug"]\n')
    assert result.argv == ("/bin/sh", "-c", "python app.py")
    assert result.exec_conversion == ("python", "app.py")
    assert result.problems == (
        "the shell-form ENTRYPOINT (line 2) ignores CMD (line 3) and `docker run` arguments",
    )


def test_sh_c_wrapper_in_exec_form():
    result = start('FROM ruby:3.3\nCMD ["bash", "-c", "bundle exec rails db:migrate && bundle exec rails s"]\n')
    assert not result.shell_form
    assert result.problems == (
        "`bash -c` runs several commands and does not `exec` the last (`bundle`): "
        "the shell stays PID 1 and does not forward SIGTERM",
    )


def test_runtime_installs_and_downloads_in_the_start_command():
    result = start(
        "FROM python:3.12\n"
        'CMD ["sh", "-c", "apt-get update && apt-get install -y curl && pip install flask '
        '&& curl -fsSL https://example.com/x.sh -o /x.sh && curl -f http://localhost:8000/ && exec python app.py"]\n'
    )
    assert result.problems == (
        "`sh -c` downloads with curl at every start",
        "`sh -c` installs OS packages with apt-get at every start",
        "`sh -c` installs Python packages with pip at every start",
    )


def test_entrypoint_script_from_context_with_exec():
    text = (
        "FROM python:3.12\nWORKDIR /app\nCOPY docker/ ./docker/\n"
        'ENTRYPOINT ["./docker/entrypoint.sh"]\nCMD ["serve"]\n'
    )
    result = start(text, {"docker/entrypoint.sh": ENTRYPOINT_WITH_EXEC})
    assert result.scripts == ("docker/entrypoint.sh",)
    assert result.problems == ()


def test_entrypoint_script_without_exec_is_flagged():
    text = 'FROM python:3.12\nCOPY entrypoint.sh /usr/local/bin/\nENTRYPOINT ["entrypoint.sh"]\n'
    result = start(text, {"entrypoint.sh": ENTRYPOINT_WITHOUT_EXEC})
    assert result.scripts == ("entrypoint.sh",)
    assert result.problems == (
        'script entrypoint.sh does not `exec` its final process (`exec "$@"`): '
        "the shell stays PID 1 and does not forward SIGTERM",
    )


def test_without_context_the_script_is_not_read():
    text = 'FROM python:3.12\nCOPY entrypoint.sh /usr/local/bin/\nENTRYPOINT ["entrypoint.sh"]\n'
    result = start(text)
    assert result.scripts == () and result.problems == ()


def test_script_renamed_by_copy_and_run_through_sh():
    text = 'FROM alpine:3.20\nCOPY scripts/start /start.sh\nCMD ["sh", "/start.sh"]\n'
    result = start(text, {"scripts/start": "apk add --no-cache curl\nexec /app\n"})
    assert result.scripts == ("scripts/start",)
    assert result.problems == ("script scripts/start installs OS packages with apk at every start",)


def test_scripts_run_by_scripts_are_followed():
    text = 'FROM node:20\nCOPY . /srv\nWORKDIR /srv\nENTRYPOINT ["/srv/bin/entry.sh"]\n'
    context = {
        "bin/entry.sh": "#!/bin/bash\n/srv/bin/setup.sh\nexec node index.js\n",
        "bin/setup.sh": "npm install\n",
    }
    result = start(text, context)
    assert result.scripts == ("bin/entry.sh", "bin/setup.sh")
    assert result.problems == ("script bin/setup.sh installs packages with npm at every start",)


def test_heredoc_script_needs_no_context():
    text = (
        "# syntax=docker/dockerfile:1\nFROM debian:12\n"
        "COPY <<EOF /entry.sh\n#!/bin/sh\nwget https://example.com/model.bin\n/app/server\nEOF\n"
        'ENTRYPOINT ["/entry.sh"]\n'
    )
    result = start(text)
    assert result.scripts == ()
    assert result.problems == (
        "script /entry.sh does not `exec` its final process (`exec \"$@\"`): "
        "the shell stays PID 1 and does not forward SIGTERM",
        "script /entry.sh downloads with wget at every start",
    )


def test_non_shell_script_is_not_analysed():
    text = 'FROM python:3.12\nCOPY run.py /run.py\nENTRYPOINT ["/run.py"]\n'
    result = start(text, {"run.py": "#!/usr/bin/env python3\nimport os\nos.system('pip install x')\n"})
    assert result.scripts == () and result.problems == ()


PACKAGE_JSON = '{"scripts": {"start": "node server.js", "dev": "node ./bin/www --port 3000", "watch": "nodemon server.js", "env": "PORT=1 node x.js"}}'


def test_npm_start_resolves_through_package_json_to_a_plain_node_command():
    start = analyze_start(parse('FROM node:18\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n'), {"package.json": PACKAGE_JSON})
    assert start.resolved == ("node", "server.js")
    dev = analyze_start(parse("FROM node:18\nWORKDIR /app\nCOPY package.json .\nCMD npm run dev\n"), {"package.json": PACKAGE_JSON})
    assert dev.resolved == ("node", "./bin/www", "--port", "3000")
    yarn = analyze_start(parse('FROM node:18\nCOPY . /srv\nWORKDIR /srv\nCMD ["yarn", "start"]\n'), {"package.json": PACKAGE_JSON})
    assert yarn.resolved == ("node", "server.js")


def test_scripts_that_are_not_plain_node_stay_unresolved():
    for script in ("watch", "env", "missing"):
        start = analyze_start(parse(f'FROM node:18\nCOPY . .\nCMD ["npm", "run", "{script}"]\n'), {"package.json": PACKAGE_JSON})
        assert start.resolved is None, script
    assert analyze_start(parse('FROM node:18\nCMD ["npm", "start"]\n')).resolved is None  # no package.json known


def test_sh_c_of_one_command_resolves_to_that_command_with_its_glob():
    start = analyze_start(parse("FROM eclipse-temurin:17-jdk\nCMD sh -c 'java -jar target/*.jar'\n"))
    assert start.resolved == ("java", "-jar", "target/*.jar")
    chained = analyze_start(parse('FROM x\nCMD ["sh", "-c", "migrate && exec java -jar app.jar"]\n'))
    assert chained.resolved is None
    plain = analyze_start(parse('FROM x\nCMD ["java", "-jar", "app.jar"]\n'))
    assert plain.resolved is None


def test_npm_start_of_a_dependencys_command_resolves_to_node_running_its_bin_link():
    package = '{"scripts": {"start": "http-server public -p 8084", "lint": "eslint ."}, "dependencies": {"http-server": "14.1.1"}, "devDependencies": {"eslint": "9"}}'
    text = 'FROM node:18\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n'
    assert analyze_start(parse(text), {"package.json": package}).resolved == (
        "node", "node_modules/.bin/http-server", "public", "-p", "8084"
    )
    # a command of no runtime dependency (dev tools may be pruned, or named otherwise) stays unresolved
    lint = text.replace('"npm", "start"', '"npm", "run", "lint"')
    assert analyze_start(parse(lint), {"package.json": package}).resolved is None


def test_a_python_console_script_resolves_to_its_module_run_by_python():
    gunicorn = analyze_start(parse('FROM python:3.11\nCMD ["gunicorn", "--bind", ":8000", "site.wsgi"]\n'))
    assert gunicorn.resolved == ("python", "-m", "gunicorn", "--bind", ":8000", "site.wsgi")
    shell_form = analyze_start(parse("FROM python:3.11\nCMD uvicorn app:app --port 80\n"))
    assert shell_form.resolved == ("python", "-m", "uvicorn", "app:app", "--port", "80")
    assert analyze_start(parse('FROM python:3.11\nCMD ["waitress-serve", "app:app"]\n')).resolved is None
