import pytest

from tests.rules.helpers import catches, catches_not

GITHUB = "ghp_" + "A1b2C3d4E5" * 3 + "f6G7h8"


@pytest.mark.parametrize(
    ("instruction", "kind"),
    [
        ("ENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS access key id"),
        (f"ARG TOKEN={GITHUB}", "GitHub token"),
        (f"ENV A=1 B={GITHUB}", "GitHub token"),
        (f"ENV GH {GITHUB}", "GitHub token"),
        ("ENV GH=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "GitHub fine-grained token"),
        ("ENV SLACK=xoxb-123456789012-1234567890123-abcdefghij", "Slack token"),
        ('ENV KEY="-----BEGIN RSA PRIVATE KEY-----"', "private key"),
        ("ENV DATABASE_URL=postgres://app:hunter2@db:5432/app", "password in URL"),
        ('ENV JAVA_OPTS="-Xmx1g -Dspring.datasource.password=s3cr3t"', "password"),
        ("ENV DB_PASSWORD=hunter2", "literal value of `DB_PASSWORD`"),
        ("ARG API_TOKEN=abc123", "literal value of `API_TOKEN`"),
    ],
)
def test_secret_values(instruction, kind):
    (finding,) = catches("CD1006", f"FROM debian:12\n{instruction}\n")
    assert finding.message == f"Secret in an `ARG`/`ENV` value: {kind}"
    catches("CD1006", f"FROM debian:12\nONBUILD {instruction}\n")


@pytest.mark.parametrize(
    "instruction",
    [
        "ARG GITHUB_TOKEN",
        "ENV GITHUB_TOKEN=$GITHUB_TOKEN",
        "ENV DB_PASSWORD=${DB_PASSWORD:-}",
        "ENV DB_PASSWORD_FILE=/run/secrets/db",
        "ENV DB_PASSWORD=",
        "ENV DB_PASSWORD=changeme",
        "ENV DATABASE_URL=postgres://app:$DB_PASSWORD@db/app",
        "ENV DATABASE_URL=postgres://db:5432/app",
        "ENV TOKEN_TTL=3600",
        "ENV PATH=/usr/local/bin:$PATH",
        "LABEL key=AKIAIOSFODNN7EXAMPLE",
    ],
)
def test_no_secret(instruction):
    catches_not("CD1006", f"FROM debian:12\n{instruction}\n")


@pytest.mark.parametrize(
    "instruction",
    ["ENV NGINX_SERVER_TOKENS=off", "ENV JWT_SECRET_FILE=/run/secrets/jwt", "ARG PASSWORD_MIN_LENGTH=12"],
)
def test_settings_named_like_secrets(instruction):
    catches_not("CD1006", f"FROM debian:12\n{instruction}\n")
