from tests.rules.helpers import catches, catches_not


def test_relative_workdir():
    catches("DL3000", "FROM debian:12\nWORKDIR app\n")
    catches("DL3000", 'FROM debian:12\nWORKDIR "app"\n')


def test_absolute_variable_and_windows_paths():
    catches_not("DL3000", "FROM debian:12\nWORKDIR /app\n")
    catches_not("DL3000", "FROM debian:12\nWORKDIR $HOME/app\n")
    catches_not("DL3000", 'FROM debian:12\nWORKDIR "/app"\n')
    catches_not("DL3000", "FROM mcr.microsoft.com/windows:ltsc\nWORKDIR C:\\\\app\n")
