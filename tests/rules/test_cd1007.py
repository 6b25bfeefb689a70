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


@pytest.mark.parametrize(
    "dockerfile",
    [
        # Trivy DS-0031: the variable names the copy's destination.
        "ENV GOOGLE_APPLICATION_CREDENTIALS=/secrets/gcp.json\nCOPY gcp-sa.json $GOOGLE_APPLICATION_CREDENTIALS\n",
        "ARG AWS_CONFIG_FILE\nCOPY aws.cfg ${AWS_CONFIG_FILE}\n",
        "ENV AWS_SHARED_CREDENTIALS_FILE=/root/creds\nCOPY creds.ini /root/creds\n",
        # The file lies under a copied folder (the ENV before or after the copy).
        "COPY . /app\nENV GOOGLE_APPLICATION_CREDENTIALS=/app/google-storage-service.json\n",
        "WORKDIR /app\nCOPY . .\nENV GOOGLE_APPLICATION_CREDENTIALS=./conf/sa.json\n",
        "WORKDIR /app\nENV KUBECONFIG=/app/kube/cluster.yml\nCOPY kube/ kube/\n",
        "ENV AWS_CONFIG_FILE=/etc/aws/config\nCOPY config /etc/aws/\n",
        "FROM debian:12 AS base\nENV GOOGLE_APPLICATION_CREDENTIALS=/app/sa.json\nFROM base\nCOPY src /app\n",
    ],
)
def test_copy_into_a_credential_file_variable(dockerfile):
    if not dockerfile.startswith("FROM"):
        dockerfile = "FROM debian:12\n" + dockerfile
    (finding,) = catches("CD1007", dockerfile)
    assert "the credentials file" in finding.message


@pytest.mark.parametrize(
    "dockerfile",
    [
        "ENV GOOGLE_APPLICATION_CREDENTIALS=/run/secrets/gcp.json\nCOPY . /app\n",
        "COPY app.py /app/\nENV GOOGLE_APPLICATION_CREDENTIALS=/app/sa.json\n",
        "ENV AWS_REGION=/app\nCOPY . /app\n",
        "ENV GOOGLE_APPLICATION_CREDENTIALS=\nCOPY . /app\n",
        "COPY sa.json $CONFIG_PATH\n",
        "ARG GOOGLE_APPLICATION_CREDENTIALS\nCOPY . /app\n",
        "ENV GOOGLE_APPLICATION_CREDENTIALS=/app/sa.json\nFROM debian:12\nCOPY . /app\n",  # another stage's
    ],
)
def test_copies_away_from_credential_files(dockerfile):
    catches_not("CD1007", "FROM debian:12\n" + dockerfile)


def test_credential_file_messages():
    dockerfile = "FROM debian:12\nWORKDIR /app\nCOPY . .\nENV GOOGLE_APPLICATION_CREDENTIALS=./conf/sa.json\n"
    (finding,) = catches("CD1007", dockerfile)
    assert finding.message.endswith(": `/app/conf/sa.json`, the credentials file of `GOOGLE_APPLICATION_CREDENTIALS`")
    assert finding.line == 3
    (finding,) = catches("CD1007", "FROM debian:12\nARG AWS_CONFIG_FILE\nCOPY aws.cfg ${AWS_CONFIG_FILE}\n")
    assert finding.message.endswith(": the credentials file `$AWS_CONFIG_FILE`")
    # A secret file name says more than the variable.
    (finding,) = catches("CD1007", "FROM debian:12\nCOPY .env $KUBECONFIG\n")
    assert finding.message.endswith(": `.env`")
