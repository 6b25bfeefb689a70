from codi.pipeline.edits import Applicability
from tests.rules.helpers import catches, catches_not, fixed


def test_pip_without_no_cache_dir():
    for pip in ("pip", "pip2", "pip3", "pip3.12", "python -m pip", "python3 -m pip"):
        catches("DL3042", f"FROM python:3.12\nRUN {pip} install MySQL_python\n")
    catches("DL3042", "FROM python:3.12\nONBUILD RUN pip install MySQL_python\n")


def test_no_cache_dir_or_wrappers():
    catches_not("DL3042", "FROM python:3.12\nRUN pip2 install MySQL_python --no-cache-dir\n")
    catches_not("DL3042", "FROM python:3.12\nRUN pip3 install --no-cache-dir MySQL_python\n")
    catches_not("DL3042", "FROM python:3.12\nONBUILD RUN pip install --no-cache-dir MySQL_python\n")
    catches_not("DL3042", "FROM python:3.12\nRUN pipx install software\n")
    catches_not("DL3042", "FROM python:3.12\nRUN pipenv install library\n")
    catches_not("DL3042", "FROM python:3.12\nRUN python -m pipx install software\n")
    catches_not("DL3042", "FROM python:3.12\nRUN pip download six\n")


def test_pip_no_cache_dir_setting():
    for value in ("1", "on", "yes", "true"):
        catches_not("DL3042", f"FROM python:3.12\nENV PIP_NO_CACHE_DIR={value}\nRUN pip install six\n")
        catches_not("DL3042", f"FROM python:3.12\nRUN PIP_NO_CACHE_DIR={value} pip install six\n")
        catches_not("DL3042", f"FROM python:3.12\nRUN export PIP_NO_CACHE_DIR={value} && pip install six\n")
    for value in ("0", "off", "no", "false"):
        catches("DL3042", f"FROM python:3.12\nENV PIP_NO_CACHE_DIR={value}\nRUN pip install six\n")
        catches("DL3042", f"FROM python:3.12\nRUN PIP_NO_CACHE_DIR={value} pip install six\n")
        catches("DL3042", f"FROM python:3.12\nRUN export PIP_NO_CACHE_DIR={value} && pip install six\n")


def test_arg_sets_the_environment_too():
    catches_not("DL3042", "FROM python:3.12\nARG PIP_NO_CACHE_DIR=1\nRUN pip install six\n")


def test_setting_is_inherited_from_the_parent_stage_only():
    catches_not("DL3042", "FROM debian:12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install six\n")
    catches("DL3042", "FROM debian:12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM debian:12\nRUN pip install six\n")
    catches("DL3042", "FROM debian:12\nENV PIP_NO_CACHE_DIR=1\nFROM debian:12\nRUN pip install six\n")


def test_cache_or_tmpfs_mount():
    for kind in ("cache", "tmpfs"):
        catches_not("DL3042", f"FROM python:3.12\nRUN --mount=type={kind},target=/root/.cache/pip pip install six\n")


def test_fix_inserts_after_install():
    before = "FROM python:3.12\nRUN pip install -U pip \\\n && python3 -m pip install \\\n      six\n"
    assert fixed("DL3042", before) == (
        "FROM python:3.12\nRUN pip install --no-cache-dir -U pip \\\n"
        " && python3 -m pip install --no-cache-dir \\\n      six\n"
    )


def test_no_fix_for_exec_form():
    assert [f.fix for f in catches("DL3042", 'FROM python:3.12\nRUN ["pip", "install", "six"]\n')] == [None]


def test_abbreviated_no_cache_dir():
    catches_not("DL3042", "FROM python:3.12\nRUN pip install --no-cache --upgrade -r requirements.txt\n")
    catches_not("DL3042", "FROM python:3.12\nRUN pip install --no-ca six\n")
    catches("DL3042", "FROM python:3.12\nRUN pip install --no-c six\n")


def test_later_pip_installs_do_not_need_the_cache():
    dockerfile = "FROM python:3.11\nRUN pip install flask==3.0.3\nRUN pip install --no-index --find-links /wheels app\n"
    assert fixed("DL3042", dockerfile).splitlines()[1] == "RUN pip install --no-cache-dir flask==3.0.3"


def test_fix_is_unsafe_when_a_later_step_reads_the_cache_directory():
    dockerfile = "FROM python:3.11\nRUN pip install flask==3.0.3\nRUN cp -r /root/.cache/pip/wheels /wheels\n"
    fix = catches("DL3042", dockerfile)[0].fix
    assert fix is not None and fix.applicability is Applicability.UNSAFE
