"""Settings from files (`CODI_<NAME>_FILE`), as compose and Kubernetes mount secrets, and the passwords that
go into the Redis and PostgreSQL URLs; what each bad input gets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from codi.settings import SettingsError, load_settings


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """Only the App's id and key in the environment: each test adds the rest."""
    for name in list(os.environ):
        if name.startswith("CODI_"):
            monkeypatch.delenv(name)
    key = tmp_path / "app.pem"
    key.write_text("-----BEGIN RSA PRIVATE KEY-----\n")
    monkeypatch.setenv("CODI_GITHUB_APP_ID", "42")
    monkeypatch.setenv("CODI_GITHUB_PRIVATE_KEY_PATH", str(key))
    return monkeypatch


def secret(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_setting_comes_from_its_file_without_the_trailing_newline(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    environment.setenv("CODI_WEBHOOK_SECRET_FILE", secret(tmp_path, "webhook", "s3cret with spaces \n"))
    environment.setenv("CODI_JOB_TIMEOUT_SECONDS_FILE", secret(tmp_path, "timeout", "90\n"))

    settings = load_settings()

    assert settings.webhook_secret == "s3cret with spaces "
    assert settings.job_timeout_seconds == 90


def test_passwords_from_files_go_into_the_urls(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    environment.setenv("CODI_WEBHOOK_SECRET", "x")
    environment.setenv("CODI_REDIS_URL", "redis://redis:6379/0")
    environment.setenv("CODI_REDIS_PASSWORD_FILE", secret(tmp_path, "redis", "p@ss/word:1\n"))
    environment.setenv("CODI_DATABASE_URL", "postgresql://codi@postgres:5432/codi")
    environment.setenv("CODI_DATABASE_PASSWORD_FILE", secret(tmp_path, "postgres", "pg p@ss\n"))

    settings = load_settings()

    assert settings.redis_url == "redis://:p%40ss%2Fword%3A1@redis:6379/0"
    database = make_url(settings.database_url)
    assert (database.username, database.password, database.host, database.database) == (
        "codi", "pg p@ss", "postgres", "codi"
    )
    assert "p@ss" not in repr(settings)


def test_a_password_replaces_the_urls_own_and_keeps_its_user(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("CODI_WEBHOOK_SECRET", "x")
    environment.setenv("CODI_REDIS_URL", "rediss://codi:old@redis.example:6380/2")
    environment.setenv("CODI_REDIS_PASSWORD", "new")
    assert load_settings().redis_url == "rediss://codi:new@redis.example:6380/2"

    environment.setenv("CODI_REDIS_URL", "unix:///run/redis.sock?db=1")
    assert load_settings().redis_url == "unix:///run/redis.sock?db=1&password=new"


def test_both_the_variable_and_its_file_is_refused(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    environment.setenv("CODI_WEBHOOK_SECRET", "x")
    environment.setenv("CODI_WEBHOOK_SECRET_FILE", secret(tmp_path, "webhook", "y"))

    with pytest.raises(SettingsError, match="set CODI_WEBHOOK_SECRET or CODI_WEBHOOK_SECRET_FILE, not both"):
        load_settings()


def test_a_missing_file_is_named_without_a_traceback(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    environment.setenv("CODI_WEBHOOK_SECRET_FILE", str(tmp_path / "absent"))

    with pytest.raises(SettingsError) as raised:
        load_settings()

    assert str(raised.value) == (
        f"invalid configuration: CODI_WEBHOOK_SECRET_FILE {tmp_path / 'absent'} cannot be read: No such file or directory"
    )


def test_a_binary_file_is_refused(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "binary"
    path.write_bytes(b"\xff\xfe\x00")
    environment.setenv("CODI_WEBHOOK_SECRET_FILE", str(path))

    with pytest.raises(SettingsError, match="CODI_WEBHOOK_SECRET_FILE .* cannot be read: not UTF-8 text"):
        load_settings()


def test_a_bad_value_from_a_file_names_the_setting(environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    environment.setenv("CODI_WEBHOOK_SECRET_FILE", secret(tmp_path, "webhook", "\n"))

    with pytest.raises(SettingsError, match="CODI_WEBHOOK_SECRET String should have at least 1 character"):
        load_settings()
