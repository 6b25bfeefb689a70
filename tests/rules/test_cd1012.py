import pytest

from tests.rules.helpers import catches, catches_not


@pytest.mark.parametrize(
    ("run", "login"),
    [
        # Trivy DS-0031's RUN cases.
        ("aws configure set aws_access_key_id $AWS_ACCESS_KEY_ID", "aws configure set aws_access_key_id"),
        ('aws configure set aws_secret_access_key "$SECRET" && aws s3 ls', "aws configure set aws_secret_access_key"),
        ("gcloud auth activate-service-account --key-file=/tmp/key.json", "gcloud auth activate-service-account"),
        ("az login -u user -p $AZ_PASSWORD", "az login --password"),
        ("az login --service-principal -u app --password=$SECRET --tenant t", "az login --password"),
        ("az login --service-principal -u app --federated-token $TOKEN --tenant t", "az login --password"),
        ("doctl auth init -t $DIGITALOCEAN_TOKEN", "doctl auth init --access-token"),
        ("doctl auth init --access-token=$DIGITALOCEAN_TOKEN", "doctl auth init --access-token"),
        # Beyond Trivy's patterns: global options, profiles, paths.
        ("aws --profile ci configure set aws_session_token x", "aws configure set aws_session_token"),
        ("aws configure set profile.ci.aws_secret_access_key x", "aws configure set aws_secret_access_key"),
        ("/usr/local/bin/aws configure set AWS_ACCESS_KEY_ID x", "aws configure set aws_access_key_id"),
        (
            "gcloud --project p auth activate-service-account ci@p.iam --key-file k.json",
            "gcloud auth activate-service-account",
        ),
        ("apt-get install -y awscli && aws configure set aws_access_key_id x", "aws configure set aws_access_key_id"),
    ],
)
def test_credentials_on_the_command_line(run, login):
    (finding,) = catches("CD1012", f"FROM debian:12\nRUN {run}\n")
    assert finding.message == f"Cloud credentials given on a `RUN` command line without a secret mount: `{login}`"
    catches("CD1012", f"FROM debian:12\nONBUILD RUN {run}\n")
    catches("CD1012", f"FROM debian:12\nRUN --mount=type=cache,target=/root/.cache {run}\n")


@pytest.mark.parametrize(
    "run",
    [
        "aws configure set region eu-west-1",
        "aws configure set default.output json",
        "aws s3 cp s3://bucket/x /x",
        "gcloud auth login",
        "gcloud config set project p",
        "az login --identity",
        "az login --use-device-code",
        "doctl auth init",
        "doctl auth list",
        "echo aws configure set aws_secret_access_key x",
        "pip install awscli azure-cli",
    ],
)
def test_no_credentials_on_the_command_line(run):
    catches_not("CD1012", f"FROM debian:12\nRUN {run}\n")


@pytest.mark.parametrize(
    "run",
    [
        "--mount=type=secret,id=aws,env=AWS_SECRET aws configure set aws_secret_access_key \"$AWS_SECRET\"",
        "--mount=type=secret,id=gcp,target=/run/secrets/key.json "
        "gcloud auth activate-service-account --key-file=/run/secrets/key.json",
        "--mount=type=secret,id=az az login -p \"$(cat /run/secrets/az)\" -u u",
        "--mount=type=secret,id=do doctl auth init -t \"$(cat /run/secrets/do)\"",
    ],
)
def test_secret_mount(run):
    catches_not("CD1012", f"FROM debian:12\nRUN {run}\n")
