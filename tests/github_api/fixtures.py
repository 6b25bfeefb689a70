"""pytest fixtures: a test GitHub App's credentials and the local GitHub API server.

Use with `from tests.github_api.fixtures import github_api, github_app`. The server starts once per
session (the OpenAPI description is parsed once) and is reset before each test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.github_api.server import FakeGitHub


@dataclass(frozen=True)
class GitHubAppCredentials:
    """What `CODI_GITHUB_APP_ID`, `CODI_GITHUB_PRIVATE_KEY_PATH` and `CODI_WEBHOOK_SECRET` are set to."""

    app_id: int
    private_key_path: Path
    private_key_pem: str
    public_key_pem: str
    webhook_secret: str

    def env(self, api_url: str) -> dict[str, str]:
        """The CODI_* variables that point codi at this App and the local server."""
        return {
            "CODI_GITHUB_APP_ID": str(self.app_id),
            "CODI_GITHUB_PRIVATE_KEY_PATH": str(self.private_key_path),
            "CODI_WEBHOOK_SECRET": self.webhook_secret,
            "CODI_GITHUB_API_URL": api_url,
        }


def make_app_credentials(directory: Path, app_id: int = 424242) -> GitHubAppCredentials:
    """A fresh RSA key pair (GitHub Apps use 2048-bit RSA) with the private key written as PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    ).decode()
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    path = directory / "codi-test-app.private-key.pem"
    path.write_text(private_pem)
    path.chmod(0o600)
    return GitHubAppCredentials(app_id, path, private_pem, public_pem, "codi-test-webhook-secret")


@pytest.fixture(scope="session")
def github_app(tmp_path_factory: pytest.TempPathFactory) -> GitHubAppCredentials:
    return make_app_credentials(tmp_path_factory.mktemp("github-app"))


_SERVER: FakeGitHub | None = None


def _session_server(config: pytest.Config) -> FakeGitHub:
    """Start the server on first use; stop it when the session ends (registered on the pytest config)."""
    global _SERVER
    if _SERVER is None:
        _SERVER = FakeGitHub()
        _SERVER.start()
        config.add_cleanup(_stop_session_server)
    return _SERVER


def _stop_session_server() -> None:
    global _SERVER
    if _SERVER is not None:
        _SERVER.stop()
        _SERVER = None


@pytest.fixture
def github_api(request: pytest.FixtureRequest, github_app: GitHubAppCredentials) -> FakeGitHub:
    """The local GitHub API, empty, trusting `github_app`'s JWTs; `.url` is the base URL for githubkit."""
    server = _session_server(request.config)
    server.reset()
    server.configure_app(github_app.app_id, github_app.public_key_pem)
    return server
