"""codi's service configuration, read from `CODI_*` environment variables.

A missing or invalid setting stops start-up with a message naming the
variable (`SettingsError`); nothing is read lazily later. Any setting may
instead come from a file, `CODI_<NAME>_FILE` (a compose or Kubernetes secret
mounted read-only), so secrets stay out of the environment.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


PUBLIC_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~%+,;=:@/-]*)?")
"""`CODI_PUBLIC_URL`: scheme, host, port and path only, of characters a Markdown link target takes as they are."""
API_TOKEN_MIN_LENGTH = 16
"""`CODI_API_TOKEN` guards private code: a short one could be guessed."""
DEFAULT_DATA_DIR = Path.home() / ".cache" / "codi"
"""Where build contexts, build artefacts and (for the CLI) the evidence database live unless CODI_DATA_DIR says."""


def default_database_url(data_dir: Path) -> str:
    """`CODI_DATABASE_URL`'s one default, for the App's workers and the CLI alike: SQLite in the data folder, so
    the CLI and the build workers on one machine share their evidence."""
    return f"sqlite:///{data_dir / 'evidence.db'}"


class SettingsError(RuntimeError):
    """A `CODI_*` variable is missing or invalid; the message names it."""


class _FileValues(PydanticBaseSettingsSource):
    """`CODI_<NAME>_FILE=path`: the setting's value is that file's text, one trailing newline dropped."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # __call__ reads every field at once

    def __call__(self) -> dict[str, Any]:
        values = {}
        for name in self.settings_cls.model_fields:
            variable = f"CODI_{name.upper()}"
            path = os.environ.get(f"{variable}_FILE")
            if path is None:
                continue
            if variable in os.environ:
                raise SettingsError(f"invalid configuration: set {variable} or {variable}_FILE, not both")
            try:
                text = Path(path).read_text()
            except (OSError, UnicodeDecodeError) as error:
                reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
                raise SettingsError(f"invalid configuration: {variable}_FILE {path} cannot be read: {reason}") from None
            values[name] = text.removesuffix("\n").removesuffix("\r")
        return values


class AppSettings(BaseSettings):
    """The App's identity and GitHub's address: all that signing in as the App needs (`codi redeliver` reads no
    more, so it runs without the receiver's webhook secret)."""

    model_config = SettingsConfigDict(env_prefix="CODI_", extra="ignore")

    github_app_id: int = Field(gt=0)
    github_private_key_path: Path
    github_api_url: str = "https://api.github.com"
    github_timeout_seconds: float = Field(default=30.0, gt=0)

    @field_validator("github_private_key_path")
    @classmethod
    def _key_readable(cls, path: Path) -> Path:
        if not path.is_file():
            raise ValueError(f"no such file: {path}")
        return path

    @field_validator("github_api_url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return url.rstrip("/")

    def private_key(self) -> str:
        return self.github_private_key_path.read_text()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _FileValues(settings_cls)


class Settings(AppSettings):
    """Every variable the receiver and the workers read (documented in README's table)."""

    webhook_secret: str = Field(min_length=1)
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_password: SecretStr | None = None
    """Put into CODI_REDIS_URL, so the URL can stay in the environment and the password come from a file."""
    database_url: str = ""
    """Build evidence; empty: `default_database_url(data_dir)`, the CLI's default too."""
    database_password: SecretStr | None = None
    """Put into CODI_DATABASE_URL (PostgreSQL's), likewise: one password file shared with the database server."""
    review_drafts: bool = False
    """Review draft pull requests too (GitHub's draft flag otherwise defers the review)."""
    job_timeout_seconds: int = Field(default=600, gt=0)
    builds: bool = False
    """Build, smoke-test and measure the candidates on build workers (`codi worker --platform …`)."""
    build_deadline_seconds: float = Field(default=480.0, gt=0)
    """How long a review waits for its builds; a platform nobody serves is reported, not waited for."""
    data_dir: Path = DEFAULT_DATA_DIR
    """Build contexts and build artefacts (logs, SBOMs); shared by the review and build workers."""
    llm_model_path: Path | None = None
    """A GGUF model file the review worker ranks and explains candidates with; none: the scorer alone."""
    llm_timeout_seconds: float = Field(default=30.0, gt=0)
    llm_allowed_hosts: str = ""
    """Comma-separated hosts the model's process may connect to while it runs (default none: air-gapped)."""
    analysis_timeout_seconds: float = Field(default=120.0, gt=0)
    """How long the lint, fixes and optimiser may take on one pull request's Dockerfiles (a killable child)."""
    context_max_archive_bytes: int = Field(default=256 * 1024**2, gt=0)
    """The head commit's archive (tar.gz) may be this large; the download stops past it and nothing is built."""
    context_max_entries: int = Field(default=50_000, gt=0)
    """Files, folders and links one archive may hold."""
    context_max_bytes: int = Field(default=1024**3, gt=0)
    """What the archive's files may add up to unpacked (a gzip bomb is refused before anything is written)."""
    context_max_age_hours: float = Field(default=6.0, gt=0)
    """The review worker's hourly sweep removes contexts and scratch files unused for this long."""
    build_network: Literal["codi", "none", "host"] = "codi"
    """Builds' and port smoke tests' network: codi's bridge `codi-builds`, none, or host (engines without a bridge)."""
    public_url: str = ""
    """Where `codi serve` is reached from outside (`https://codi.example.com`): the summary comment links each run's
    report at `{public_url}/runs/{id}/report`; empty: no link."""
    api_token: SecretStr | None = None
    """Bearer token of the read-only `/api/` and `/dashboard` (runs show private code); unset: both are off (404)."""

    @field_validator("llm_model_path")
    @classmethod
    def _model_file(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"no such file: {path} (the model is never downloaded; mount it, e.g. under /models)")
        return path

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, url: str) -> str:
        if url and not PUBLIC_URL.fullmatch(url):
            raise ValueError("must be an http(s) URL without spaces, quotes, brackets, a query or a fragment")
        return url.rstrip("/")

    @field_validator("api_token")
    @classmethod
    def _long_token(cls, token: SecretStr | None) -> SecretStr | None:
        if token is not None and len(token.get_secret_value()) < API_TOKEN_MIN_LENGTH:
            raise ValueError(f"must be at least {API_TOKEN_MIN_LENGTH} characters (e.g. `openssl rand -hex 32`)")
        return token

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, url: str) -> str:
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return url

    @model_validator(mode="after")
    def _passwords_into_urls(self) -> Settings:
        if not self.database_url:
            self.database_url = default_database_url(self.data_dir)
        if self.redis_password is not None:
            password = quote(self.redis_password.get_secret_value(), safe="")
            parts = urlsplit(self.redis_url)
            if parts.scheme == "unix":
                self.redis_url += f"{'&' if parts.query else '?'}password={password}"
            else:
                userinfo, _, host = parts.netloc.rpartition("@")
                user = userinfo.partition(":")[0]
                self.redis_url = parts._replace(netloc=f"{user}:{password}@{host}").geturl()
        if self.database_password is not None:
            try:
                url = make_url(self.database_url)
            except ArgumentError:
                return self  # init_db names CODI_DATABASE_URL's problem
            url = url.set(password=self.database_password.get_secret_value())
            self.database_url = url.render_as_string(hide_password=False)
        return self


_Loaded = TypeVar("_Loaded", bound=AppSettings)


def load_settings() -> Settings:
    """Read the environment; raise `SettingsError` naming each bad `CODI_*` variable."""
    return _load(Settings)


def load_app_settings() -> AppSettings:
    """Only the App's identity (`AppSettings`), for commands that talk to GitHub as the App and nothing else."""
    return _load(AppSettings)


def _load(kind: type[_Loaded]) -> _Loaded:
    try:
        return kind()  # type: ignore[call-arg]
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = "CODI_" + "_".join(str(part) for part in item["loc"]).upper()
            reason = "is required" if item["type"] == "missing" else item["msg"].removeprefix("Value error, ")
            problems.append(f"{name} {reason}")
        raise SettingsError("invalid configuration: " + "; ".join(problems)) from None
