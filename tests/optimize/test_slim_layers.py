"""The slim strategy's edits beyond the base image: consecutive RUNs merged, `apk update` kept for `apk upgrade`,
scratch volumes, bases named through an ARG, Docker Hub's per-architecture namespaces."""

from __future__ import annotations

from codi.knowledge.images import docker_hub_name
from codi.pipeline.optimize.images import account_tool, slim_variant
from codi.pipeline.optimize.model import Candidate
from codi.pipeline.optimize.strategies.slim import slim_candidates
from codi.pipeline.parser import parse
from codi.pipeline.semantic import parse_image


def slim_of(text: str) -> Candidate:
    candidates, rejections = slim_candidates(parse(text))
    assert rejections == [], rejections
    return candidates[0]


def reason_of(text: str) -> str:
    candidates, rejections = slim_candidates(parse(text))
    assert candidates == []
    return rejections[0].reason


def test_consecutive_single_command_runs_become_one_layer() -> None:
    text = (
        "FROM alpine:3.20\n"
        "RUN mkdir -p /data\n"
        "# the marker the app checks\n"
        "RUN touch /data/ready\n"
        "RUN apk add --no-cache \\\n"
        "    tini\n"
        'CMD ["/sbin/tini", "--", "sh"]\n'
    )
    candidate = slim_of(text)
    assert candidate.dockerfile == (
        "FROM alpine:3.20\n"
        "# the marker the app checks\n"
        "RUN mkdir -p /data \\\n"
        "    && touch /data/ready \\\n"
        "    && apk add --no-cache \\\n"
        "    tini\n"
        'CMD ["/sbin/tini", "--", "sh"]\n'
    )
    layers = [change for change in candidate.changes if change.kind == "layers"]
    assert [change.description.split(" chained")[0] for change in layers] == [
        "the consecutive RUNs of lines 2, 4, 5 (plain commands and `&&` chains after the first)"
    ]


def test_a_run_that_changes_its_shell_ends_the_group() -> None:
    text = (
        "FROM alpine:3.20\n"
        "RUN mkdir /src\n"
        "RUN cd /src\n"
        "RUN touch here\n"
        "RUN umask 077\n"
        "RUN touch private\n"
        'CMD ["sh"]\n'
    )
    candidate = slim_of(text)
    assert "RUN mkdir /src \\\n    && cd /src\nRUN touch here \\\n    && umask 077\nRUN touch private\n" in (
        candidate.dockerfile
    ), "touch here ran in /, not /src; touch private with the default umask"


def test_runs_with_other_flags_lists_pipes_or_substitutions_do_not_follow_a_run() -> None:
    text = (
        "FROM alpine:3.20\n"
        "RUN --mount=type=cache,target=/root/.cache pip install x\n"
        "RUN pip list\n"
        "RUN apk info; echo done\n"
        "RUN apk info || echo none\n"
        "RUN apk info | wc -l\n"
        "RUN echo $(date) > /built\n"
        'CMD ["sh"]\n'
    )
    assert reason_of(text).startswith("no slimmer base, layer to merge")


def test_and_chains_merge_with_their_neighbours() -> None:
    """`a && b` then `c` is `a && b && c`: the build fails where it failed and c runs where it ran. A `;` list
    is not merged: `x && a; b` would run b after x failed and pass when b does."""
    text = (
        "FROM alpine:3.20\n"
        "RUN apk add --no-cache curl && curl --version\n"
        "RUN mkdir -p /data \\\n"
        "    && touch /data/ready\n"
        "RUN cd /data && touch here\n"
        "RUN touch /there\n"
        "RUN false; touch /anyway\n"
        'CMD ["sh"]\n'
    )
    candidate = slim_of(text)
    assert candidate.dockerfile == (
        "FROM alpine:3.20\n"
        "RUN apk add --no-cache curl && curl --version \\\n"
        "    && mkdir -p /data \\\n"
        "    && touch /data/ready \\\n"
        "    && cd /data && touch here\n"
        "RUN touch /there\n"
        "RUN false; touch /anyway\n"
        'CMD ["sh"]\n'
    ), "touch /there still runs in /, after the chain that changed directory"
    layers = [change.description for change in candidate.changes if change.kind == "layers"]
    assert layers[0].startswith("the consecutive RUNs of lines 2, 3, 5 (plain commands and `&&` chains after")


def test_no_merge_under_another_shell_or_escape() -> None:
    powershell = 'FROM alpine:3.20\nSHELL ["pwsh", "-Command"]\nRUN Write-Host a\nRUN Write-Host b\nCMD ["sh"]\n'
    assert reason_of(powershell).startswith("no slimmer base")
    backtick = "# escape=`\nFROM alpine:3.20\nRUN echo a\nRUN echo b\nCMD [\"sh\"]\n"
    assert reason_of(backtick).startswith("no slimmer base")


def test_no_merge_under_a_shell_that_reads_a_profile_before_each_run() -> None:
    for shell in ('["/bin/bash", "-l", "-c"]', '["/bin/bash", "--login", "-c"]', '["/bin/bash", "-lc"]'):
        text = f"FROM debian:bookworm-slim\nSHELL {shell}\nRUN conda init bash\nRUN conda activate app\nCMD [\"sh\"]\n"
        assert reason_of(text).startswith("no slimmer base"), shell
    bash_env = 'FROM debian:bookworm-slim\nENV BASH_ENV=/etc/env.sh\nRUN setup\nRUN use\nCMD ["sh"]\n'
    assert reason_of(bash_env).startswith("no slimmer base")
    plain = 'FROM debian:bookworm-slim\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN a\nRUN b\nCMD ["sh"]\n'
    assert "RUN a \\\n    && b\n" in slim_of(plain).dockerfile


def test_a_run_that_may_replace_bin_sh_is_not_followed_in_its_shell() -> None:
    text = 'FROM debian:bookworm-slim\nRUN ln -sf /bin/bash /bin/sh\nRUN echo $BASH_VERSION\nCMD ["sh"]\n'
    assert reason_of(text).startswith("no slimmer base")


def test_apk_update_is_kept_for_apk_upgrade() -> None:
    text = 'FROM alpine:3.20\nRUN apk update && apk upgrade && apk add curl\nCMD ["sh"]\n'
    candidate = slim_of(text)
    assert "RUN apk update \\\n    && apk upgrade \\\n    && apk add --no-cache curl\n" in candidate.dockerfile


def test_a_tmp_volume_does_not_keep_the_image_root() -> None:
    text = (
        "FROM eclipse-temurin:17-jre-focal\n"
        "WORKDIR /app\n"
        "COPY app.jar app.jar\n"
        "VOLUME /tmp\n"
        'CMD ["java", "-jar", "app.jar"]\n'
    )
    candidate = slim_of(text)
    assert "COPY --chown=10001:10001 app.jar app.jar\n" in candidate.dockerfile
    assert "USER 10001:10001\n" in candidate.dockerfile
    assert "ownership" in [change.kind for change in candidate.changes]


def test_a_data_volume_keeps_the_image_root_and_says_why() -> None:
    text = (
        "FROM eclipse-temurin:17-jre-focal\n"
        "WORKDIR /app\n"
        "COPY app.jar app.jar\n"
        'VOLUME ["/tmp", "/data"]\n'
        'CMD ["java", "-jar", "app.jar"]\n'
    )
    assert "VOLUME" in reason_of(text) and "bind mount owned by the host's user" in reason_of(text)


def test_a_base_named_by_an_arg_moves_through_the_arg_default() -> None:
    text = 'ARG BASE_IMAGE=python:3.11\nFROM ${BASE_IMAGE}\nWORKDIR /app\nCOPY . .\nCMD ["python", "app.py"]\n'
    candidate = slim_of(text)
    assert candidate.dockerfile.startswith("ARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}\n")
    base = next(change for change in candidate.changes if change.kind == "base-image")
    assert base.description.startswith("python:3.11-slim instead of python:3.11 (the default of the ARG")
    assert "USER 10001:10001" in candidate.dockerfile, "the default base runs as root with useradd"


def test_an_arg_read_elsewhere_keeps_its_default() -> None:
    text = (
        "ARG BASE_IMAGE=python:3.11\n"
        "FROM ${BASE_IMAGE} AS build\n"
        "RUN echo build\n"
        "FROM $BASE_IMAGE\n"
        'CMD ["python", "-V"]\n'
    )
    candidates, rejections = slim_candidates(parse(text))
    assert candidates == [] and "through an ARG that other instructions read too" in rejections[0].reason
    made = 'ARG V=3.11\nARG BASE_IMAGE="python:${V}"\nFROM ${BASE_IMAGE}\nRUN pip --version\nCMD ["sh"]\n'
    assert "python:3.11 through an ARG that other instructions read too or whose default other ARGs make" in (
        reason_of(made)
    )


def test_architecture_namespaces_are_the_official_images() -> None:
    assert docker_hub_name(parse_image("amd64/alpine:3.23")) == "alpine"
    assert docker_hub_name(parse_image("arm64v8/python:3.11")) == "python"
    assert docker_hub_name(parse_image("amd64/someone/tool:1")) == "amd64/someone/tool"
    assert slim_variant("amd64/python:3.11") == "amd64/python:3.11-slim"
    assert account_tool("amd64/alpine:3.23") == "adduser"


ASPNET = """\
FROM mcr.microsoft.com/dotnet/aspnet:6.0
WORKDIR /app
COPY out/ .
{env}ENTRYPOINT ["dotnet", "web.dll"]
"""


def test_aspnet_before_8_listens_on_port_80_so_gets_no_user() -> None:
    assert "aspnet:6.0 makes the application listen on port 80, which needs root to bind" in reason_of(
        ASPNET.format(env="")
    )
    assert "listens on a port below 1024" in reason_of(ASPNET.format(env="ENV ASPNETCORE_URLS=http://+:80\n"))
    candidate = slim_of(ASPNET.format(env="ENV ASPNETCORE_URLS=http://+:8080\n"))
    assert "USER 10001:10001" in candidate.dockerfile


def test_aspnet_8_listens_on_8080() -> None:
    candidate = slim_of(ASPNET.format(env="").replace("aspnet:6.0", "aspnet:8.0"))
    assert "USER 10001:10001" in candidate.dockerfile


def test_a_shell_as_the_start_command_gets_no_user() -> None:
    for start in ('["/bin/sh"]', '["bin/bash"]'):
        text = f"FROM alpine:3.20\nWORKDIR /app\nCOPY x /app/x\nCMD {start}\n"
        assert "the start command is not an application" in reason_of(text)


def test_official_servers_run_as_root_and_their_daemons_keep_it() -> None:
    assert account_tool("php:8.3-apache") == "useradd"
    assert account_tool("php:8-alpine") == "adduser"
    assert account_tool("caddy:2.11.4") == "adduser", "caddy is built on alpine only"
    text = 'FROM php:8.3-cli\nWORKDIR /app\nCOPY . .\nCMD ["php", "worker.php"]\n'
    assert "USER 10001:10001" in slim_of(text).dockerfile
    served = 'FROM php:8.3-apache\nWORKDIR /var/www/html\nCOPY . .\nCMD ["apache2-foreground"]\n'
    assert "the start command is not an application" in reason_of(served)


def test_a_shell_less_base_keeps_root_and_says_why() -> None:
    text = 'FROM scratch\nWORKDIR /app\nCOPY server /app/server\nCMD ["/app/server"]\n'
    reason = reason_of(text)
    assert "scratch has no shell to give the user the application's folder" in reason
    assert "COPY --chown owns only what it copies" in reason


def test_a_tag_built_from_variables_is_left_as_written() -> None:
    text = 'ARG PY=3.11\nFROM python:${PY}\nRUN pip --version\nCMD ["sh"]\n'
    assert "python:${PY} names python:3.11 through variables in its name or tag" in reason_of(text)


def test_a_run_whose_command_starts_on_the_next_line_merges_without_a_backslash_space() -> None:
    """`RUN \\` + newline + `rm …`: the merged RUN must not read `RUN \\ rm` (a command named " rm")."""
    text = 'FROM alpine:3.20\nRUN \\\n    rm -f /a && \\\n    touch /b\nRUN mkdir /data\nCMD ["sh"]\n'
    assert "RUN rm -f /a && \\\n    touch /b \\\n    && mkdir /data\n" in slim_of(text).dockerfile


def test_a_run_that_leaves_a_server_running_is_not_followed_in_its_shell() -> None:
    """A RUN's processes end with it: merged, the next RUN would find the server up (`pg_ctl start` fails then)."""
    for start in ("service postgresql start", "pg_ctl -D /db start", "/etc/init.d/mysql start",
                  "redis-server --daemonize yes"):  # fmt: skip
        text = f'FROM debian:bookworm-slim\nRUN {start} && psql -c "select 1"\nRUN {start}\nCMD ["sh"]\n'
        assert reason_of(text).startswith("no slimmer base, layer to merge"), start


def test_a_list_may_open_a_group_but_not_follow_one() -> None:
    """`a; b`, `a || b` or a pipe followed by `&& x` run x exactly when that RUN passed (`&&` binds the whole list
    before it), so such a RUN may be the first of a group; after `x &&` it would not be (`x && a; b` runs b once x
    failed). A trailing `&` or comment, a group or a loop ends where no `&&` may follow."""
    text = (
        "FROM debian:bookworm-slim\n"
        'RUN echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/bp.list\n'
        "RUN mkdir /data\n"
        "RUN useradd app || true\n"
        "RUN false; touch /anyway\n"
        'CMD ["sh"]\n'
    )
    candidate = slim_of(text)
    assert (
        'RUN echo "deb http://deb.debian.org/debian bookworm-backports main" > /etc/apt/sources.list.d/bp.list \\\n'
        "    && mkdir /data\n"
        "RUN useradd app || true\n"
        "RUN false; touch /anyway\n"
    ) in candidate.dockerfile
    for opening in ("sleep 1 &", "echo a # note", "{ echo a; }", "for i in 1 2; do echo $i; done", "! false"):
        text = f'FROM alpine:3.20\nRUN {opening}\nRUN touch /b\nCMD ["sh"]\n'
        assert reason_of(text).startswith("no slimmer base, layer to merge"), opening
