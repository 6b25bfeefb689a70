import pytest

from tests.rules.helpers import catches, catches_not


@pytest.mark.parametrize(
    ("instruction", "kind"),
    [
        ("COPY id_rsa /root/.ssh/id_rsa", "`id_rsa`"),
        ("COPY .ssh/id_ed25519 /root/.ssh/", "`id_ed25519`"),
        ("COPY .env /app/", "`.env`"),
        ("COPY .env.production /app/.env", "`.env.production`"),
        ("COPY package.json .npmrc ./", "`.npmrc`"),
        ("ADD .netrc /root/", "`.netrc`"),
        ("COPY .git-credentials /root/", "`.git-credentials`"),
        ("COPY ~/.aws/credentials /root/.aws/credentials", "`.aws/credentials`"),
        ("COPY --from=build /root/.docker/config.json /cfg.json", "`.docker/config.json`"),
        ("COPY certs/server.key /etc/ssl/private/", "key file `server.key`"),
        ("COPY *.pem /etc/keys/", "key file `*.pem`"),
        ("COPY tls/privkey.pem /etc/ssl/", "key file `privkey.pem`"),
        ('COPY ["store.p12", "/app/"]', "key file `store.p12`"),
    ],
)
def test_secret_files(instruction, kind):
    (finding,) = catches("CD1007", f"FROM debian:12\n{instruction}\n")
    assert finding.message == f"Do not copy secret files into the image: {kind}"
    catches("CD1007", f"FROM debian:12\nONBUILD {instruction}\n")


@pytest.mark.parametrize(
    "instruction",
    [
        "COPY . /app",
        "COPY .env.example /app/.env",
        "COPY id_rsa.pub /root/.ssh/authorized_keys",
        "COPY ca.pem /usr/local/share/ca-certificates/",
        "COPY certs/fullchain.pem /etc/ssl/",
        "COPY tls.crt /etc/ssl/",
        "COPY app.py /app/.env",
        "ADD https://example.com/server.key /tmp/",
        "COPY <<EOF /app/.env\nA=1\nEOF",
        "COPY key-value-store.js /app/",
    ],
)
def test_ordinary_files(instruction):
    catches_not("CD1007", f"FROM debian:12\n{instruction}\n")


@pytest.mark.parametrize(
    "instruction",
    [
        "COPY jenkins.io-2026.key /war/jenkins-key.pub",
        "ADD nodesource-repo.gpg.key /usr/share/keyrings/nodesource.asc",
        "ADD nginx_public_keys.key /tmp/nginx_public_keys.key",
        "COPY yarn-pubkey.gpg.key /tmp/",
    ],
)
def test_public_keys(instruction):
    catches_not("CD1007", f"FROM debian:12\n{instruction}\n")
