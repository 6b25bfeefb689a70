"""The shell model: commands with argv, flags and pipes, as hadolint sees them."""

from codi.pipeline.lint import SourceFile, lint_files
from codi.pipeline.shell import parse_script
from codi.knowledge.stacks import DEPENDENCY_TOOLS, dependency_step


def names(script: str) -> list[str]:
    return parse_script(script).command_names()


def test_commands_anywhere_in_the_script():
    assert names("a && b || c; d | e") == ["a", "b", "c", "d", "e"]
    assert names("(cd /x && make) && { f; }") == ["cd", "make", "f"]
    assert names("for i in 1 2; do echo $i; done; if true; then g; fi") == ["echo", "true", "g"]
    assert names("X=$(uname -m) h") == ["h", "uname"]


def test_words_have_quotes_removed_and_offsets():
    script = parse_script("apt-get install -y 'curl' \"git\"")
    (cmd,) = script.commands
    assert cmd.values == ("install", "-y", "curl", "git")
    word = cmd.args[2]
    assert script.text[word.start : word.end] == "'curl'"


def test_flags_like_hadolint():
    (cmd,) = parse_script("useradd -lmu 1000 --shell=/bin/bash -- x").commands
    assert [f.name for f in cmd.flags] == ["l", "m", "u", "shell"]
    assert cmd.has_flag("u") and cmd.count_flag("l") == 1
    assert cmd.args_no_flags() == ["1000", "--", "x"]
    assert cmd.flag_args("u") == ["1000"]
    (cmd,) = parse_script("useradd -u 1000 luser").commands
    assert cmd.flag_args("u") == ["1000"]
    assert cmd.without_flag_values(("u",)) == ["-u", "luser"]


def test_pipes():
    assert parse_script("curl x | sh").has_pipes
    assert not parse_script("a || b").has_pipes


def test_pip_install_detection():
    assert parse_script("pip3 install x").commands[0].is_pip_install()
    assert parse_script("python3 -m pip install x").commands[0].is_pip_install()
    assert not parse_script("pipenv install").commands[0].is_pip_install()


def test_pip_install_by_path_and_as_hadolint_reads_it():
    """A venv's pip is pip; hadolint (DL3013/DL3042 parity) matches the name as written and misses it."""
    for script in ["/opt/venv/bin/pip install -r requirements.txt", "/usr/bin/python3 -m pip install x"]:
        cmd = parse_script(script).commands[0]
        assert cmd.is_pip_install(), script
        assert not cmd.is_pip_install(as_written=True), script
    assert parse_script("pip install x").commands[0].is_pip_install(as_written=True)
    assert not parse_script("/opt/venv/bin/pipenv install").commands[0].is_pip_install()
    venv_install = parse_script("/opt/venv/bin/pip install -r requirements.txt").commands[0]
    assert dependency_step(venv_install) is DEPENDENCY_TOOLS["pip"]


def test_non_ascii_offsets():
    script = parse_script("echo 'héllo' && apt-get install x")
    cmd = script.commands[1]
    word = cmd.args[0]
    assert script.text[word.start : word.end] == "install"


def test_broken_script_still_yields_commands():
    script = parse_script("apt-get install x && (echo unclosed")
    assert script.commands[0].name == "apt-get"


def test_backtick_comment_ends_at_closing_backtick():
    script = parse_script("apt-get install -y a `# a is needed` b && rm -rf /x")
    assert script.command_names() == ["apt-get", "rm"]
    assert script.commands[0].values == ("install", "-y", "a", "b")


def test_operands_drop_flags_and_separate_flag_values():
    (cmd,) = parse_script("apt-get install -y -t bookworm-backports --target-release=x curl").commands
    assert [word.value for word in cmd.operands(("t", "target-release"))] == ["install", "curl"]
    assert [word.value for word in cmd.operands()] == ["install", "bookworm-backports", "curl"]


def test_assignments_of_commands_and_statements():
    script = parse_script("A=1 && NODE_ENV='prod' B=2 npm ci && export C=3")
    assert [word.value for word in script.assignments] == ["A=1"]
    npm = script.commands[0]
    assert [word.value for word in npm.assignments] == ["NODE_ENV=prod", "B=2"]
    assert script.text[npm.assignments[0].start : npm.assignments[0].end] == "NODE_ENV='prod'"


def _place(text: str, name: str):
    cmd = next(cmd for cmd in parse_script(text).commands if cmd.name == name)
    end = None if cmd.statement_end is None else text[: cmd.statement_end]
    return end, cmd.plain_list_member, cmd.top_level_step


def test_where_a_command_stands_in_its_lists():
    assert _place("a && x y && b", "x") == ("a && x y", True, True)
    assert _place("a; x y; b", "x") == ("a; x y", True, True)
    assert _place("(a && x y)", "x") == ("(a && x y", True, False)
    assert _place("a || x y", "x") == ("a || x y", True, False)
    assert _place("x y || true && b", "x") == ("x y || true", False, False)
    assert _place("x y | tee log && b", "x") == ("x y | tee log", False, False)
    assert _place("x y > log", "x") == ("x y > log", False, False)
    assert _place("x y &", "x") == ("x y", False, False)
    assert _place("for p in a; do x $p; done", "x") == ("for p in a; do x $p", False, False)
    assert _place("echo $(x y)", "x") == (None, False, False)


def test_word_initial_backslash_blank_is_a_literal_blank():
    """bash and ShellCheck read `\\ ` as a quoted space: `\\    apt-get update` runs a command named " "."""
    script = parse_script("rm -f /x && \\    apt-get update")
    assert [(cmd.name, cmd.values) for cmd in script.commands] == [("rm", ("-f", "/x")), (" ", ("apt-get", "update"))]
    assert not script.using("apt-get") and not script.has_errors
    assert names("\\ apt-get update") == [" apt-get"]
    assert parse_script("echo x \\\t").commands[0].values == ("x", "\t")


def test_backslash_blank_near_misses():
    assert parse_script("echo a\\ b").commands[0].values == ("a b",)
    assert parse_script("echo \\\\ x").commands[0].values == ("\\", "x")
    assert parse_script('echo "a \\ b" \'c \\ d\'').commands[0].values == ("a \\ b", "c \\ d")
    assert names("rm -f /x && \\\n    apt-get update") == ["rm", "apt-get"]


def test_command_names_lose_quotes_and_escapes():
    assert names('"apt-get" install && \\apt-get update') == ["apt-get", "apt-get"]
    assert names("$CMD x") == ["$CMD"]


def test_apt_rules_see_no_apt_get_behind_a_backslash_blank():
    dockerfile = "FROM debian:12\nRUN rm -f /x && \\    apt-get update && apt-get install curl\n"
    (result,) = lint_files([SourceFile("Dockerfile", dockerfile)])
    assert {f.code for f in result.findings} >= {"DL3008", "DL3014"}
    dockerfile = "FROM debian:12\nRUN rm -f /x && \\    apt-get install curl\n"
    (result,) = lint_files([SourceFile("Dockerfile", dockerfile)])
    assert not {f.code for f in result.findings} & {"DL3008", "DL3009", "DL3014", "DL3015"}


def _writes(text: str) -> list[tuple[str, list[str]]]:
    return [(cmd.name, [word.value for word in cmd.writes_to]) for cmd in parse_script(text).commands]


def test_files_a_command_writes_to():
    assert _writes('echo "a" >> /etc/yum.conf 2>&1 && b') == [("echo", ["/etc/yum.conf"]), ("b", [])]
    assert _writes("{ a; b; } > f") == [("a", ["f"]), ("b", ["f"])]
    assert _writes("a > f || b") == [("a", ["f"]), ("b", [])]
    assert _writes("a 2> err < in &> all") == [("a", ["err", "all"])]


def test_a_redirected_pipeline_redirects_its_last_command():
    assert _writes("a | tee x > f") == [("a", []), ("tee", ["f"])]
    assert _writes("a | b | c >> f") == [("a", []), ("b", []), ("c", ["f"])]


def test_a_substitution_writes_to_its_command():
    assert _writes("echo $(cat x) > f") == [("echo", ["f"]), ("cat", [])]
