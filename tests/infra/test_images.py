"""codi's own images (infra/docker) on the real engine, built FROM the offline python:3.11-slim.

Both are built once per session from the context the engine gets from the repository root (`.dockerignore`
applied), plus llama-cpp-python's wheel from scripts/setup's wheelhouse, so the complete image does not
compile llama.cpp a second time on a machine that has just compiled it for the venv (without the wheel it
compiles, as it does for a user). Builds reach PyPI on the host network (a test setting only). The engine's
layer cache makes a warm session's builds cache hits.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import docker
import pytest
import requests
from docker.utils.build import exclude_paths

from codi import __version__
from codi.cli.main import main
from codi.llm import bundled_model_path
from tests.build.engine import docker_client, docker_host  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = {"slim": "infra/docker/Dockerfile", "complete": "infra/docker/Dockerfile.complete"}
WHEELHOUSE = Path.home() / ".cache" / "codi" / "wheels"
LLAMA_WHEEL = "llama_cpp_python-0.3.16-cp311-cp311-linux_x86_64.whl"
TEST_VERSION = f"{__version__}+test"
"""The images' VERSION label here. `codi optimize --build` builds the default VERSION and removes the image it
measured: had it the session's image id, the session's image and its cached layers would go with it."""
SMOKE_CONFIG = 'smoke-test:\n  command: ["--version"]\n'
"""The images serve only with the App's settings, which a smoke-test container does not get."""
BUILD_TIMEOUT_S = 1800
EXAMPLE = ROOT / "examples" / "python-app"


@dataclass(frozen=True)
class CodiImage:
    tag: str
    size_bytes: int
    build_seconds: float
    cached_steps: int


@pytest.fixture(scope="session")
def image_context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `docker build .` at the repository root sends, llama-cpp-python's wheel (when scripts/setup
    made one) and a `.codi.yml` naming the smoke test `codi optimize --build` runs."""
    context = tmp_path_factory.mktemp("codi-image-context")
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for relative in [*exclude_paths(str(ROOT), patterns), *DOCKERFILES.values()]:  # the client sends the Dockerfile
        source = ROOT / relative
        if source.is_file():
            (context / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, context / relative)
    assert (context / "codi" / "cli" / "main.py").is_file() and not (context / "tests").exists()
    if (WHEELHOUSE / LLAMA_WHEEL).is_file():
        shutil.copy2(WHEELHOUSE / LLAMA_WHEEL, context / "infra" / "docker" / "wheels")
    (context / ".codi.yml").write_text(SMOKE_CONFIG)
    return context


@pytest.fixture(scope="session")
def codi_images(
    docker_client: docker.DockerClient, image_context: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, CodiImage]:
    """Both images, built once per session (the slim one first: the complete one shares its first layers)."""
    logs = tmp_path_factory.mktemp("codi-image-logs")
    return {name: _build(docker_client, image_context, name, logs / f"{name}.log") for name in DOCKERFILES}


def _build(client: docker.DockerClient, context: Path, name: str, log_path: Path) -> CodiImage:
    tag = f"codi-test:{name}"
    started = time.monotonic()
    tail: list[str] = []
    cached = 0
    with log_path.open("w") as log:
        for chunk in client.api.build(
            path=str(context),
            dockerfile=DOCKERFILES[name],
            tag=tag,
            network_mode="host",
            buildargs={"VERSION": TEST_VERSION},
            rm=True,
            forcerm=True,
            decode=True,
            timeout=BUILD_TIMEOUT_S,
        ):
            line = chunk.get("stream") or chunk.get("error") or ""
            log.write(line)
            cached += line.count("Using cache")
            tail = (tail + [line])[-60:]
            if "error" in chunk:
                pytest.fail(f"{DOCKERFILES[name]} does not build ({log_path}):\n{''.join(tail)}", pytrace=False)
    image = client.images.get(tag)
    return CodiImage(tag, int(image.attrs["Size"]), round(time.monotonic() - started, 1), cached)


def run(client: docker.DockerClient, image: str, command: list[str], **options: object) -> tuple[int, str]:
    """Run `command` in `image` with a read-only root, a tmpfs /tmp and no network; its exit code and output."""
    container = client.containers.run(
        image, command, detach=True, read_only=True, tmpfs={"/tmp": ""}, network_mode="none", **options
    )
    try:
        status = container.wait(timeout=300)
        return int(status["StatusCode"]), container.logs().decode()
    finally:
        container.remove(force=True, v=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_both_dockerfiles_lint_clean_under_codi(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(ROOT / path) for path in DOCKERFILES.values()]
    assert main(["analyze", "--failure-threshold", "warning", "-f", "json", *paths]) == 0
    findings = json.loads(capsys.readouterr().out)
    assert {finding["level"] for finding in findings} <= {"info", "style"}, findings


@pytest.mark.parametrize("name", list(DOCKERFILES))
def test_the_image_runs_codi_as_a_numeric_user_with_no_compiler(
    name: str, codi_images: dict[str, CodiImage], docker_client: docker.DockerClient
) -> None:
    config = docker_client.images.get(codi_images[name].tag).attrs["Config"]
    assert config["User"] == "10001:10001" and config["Entrypoint"] == ["codi"]
    assert config["Healthcheck"]["Test"][0] == "CMD" and "/healthz" in " ".join(config["Env"])
    assert config["Labels"]["org.opencontainers.image.version"] == TEST_VERSION
    shell = ["-c", "codi --version; command -v gcc cc g++ make cmake pip; id -u"]
    code, output = run(docker_client, codi_images[name].tag, shell, entrypoint="sh")
    assert output.splitlines() == [f"codi {__version__}", "10001"], f"a compiler or pip in the runtime? {output}"

@pytest.mark.parametrize("name", list(DOCKERFILES))
def test_the_image_analyzes_an_example_as_codi_does_here(
    name: str, codi_images: dict[str, CodiImage], docker_client: docker.DockerClient, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["analyze", "-f", "json", "--no-fail", str(EXAMPLE / "Dockerfile")])
    here = json.loads(capsys.readouterr().out)
    volumes = {str(EXAMPLE): {"bind": "/example", "mode": "ro"}}
    command = ["analyze", "-f", "json", "/example/Dockerfile"]
    code, output = run(docker_client, codi_images[name].tag, command, volumes=volumes)
    assert code == 1  # the example has errors: analyze's exit status for findings at the default threshold
    there = json.loads(output)
    assert [(f["code"], f["line"]) for f in there] == [(f["code"], f["line"]) for f in here] and len(here) > 5


@pytest.fixture
def app_key(tmp_path: Path) -> Path:
    """A file where CODI_GITHUB_PRIVATE_KEY_PATH points (serving /healthz never signs with it)."""
    key = tmp_path / "app.pem"
    key.write_text("-----BEGIN RSA PRIVATE KEY-----\n")
    key.chmod(0o644)
    return key


@pytest.mark.parametrize("name", list(DOCKERFILES))
def test_serve_answers_healthz_and_turns_healthy_on_a_read_only_root(
    name: str, codi_images: dict[str, CodiImage], docker_client: docker.DockerClient, app_key: Path, tmp_path: Path
) -> None:
    port = free_port()
    environment = {
        "CODI_GITHUB_APP_ID": "1",
        "CODI_GITHUB_PRIVATE_KEY_PATH": "/run/secrets/app.pem",
        "CODI_WEBHOOK_SECRET_FILE": "/run/secrets/webhook",
        "CODI_REDIS_URL": "redis://127.0.0.1:9/0",
        "CODI_HEALTHZ_URL": f"http://127.0.0.1:{port}/healthz",
    }
    (tmp_path / "webhook").write_text("a webhook secret\n")
    (tmp_path / "webhook").chmod(0o644)
    volumes = {
        str(app_key): {"bind": "/run/secrets/app.pem", "mode": "ro"},
        str(tmp_path / "webhook"): {"bind": "/run/secrets/webhook", "mode": "ro"},
    }
    if name == "complete":  # the complete image expects its model (CODI_LLM_MODEL_PATH) at /models/model.gguf
        volumes[str(bundled_model_path())] = {"bind": "/models/model.gguf", "mode": "ro"}
    container = docker_client.containers.run(
        codi_images[name].tag,
        ["serve", "--host", "127.0.0.1", "--port", str(port)],
        detach=True,
        read_only=True,
        tmpfs={"/tmp": ""},
        network_mode="host",
        environment=environment,
        volumes=volumes,
        healthcheck={"interval": 1_000_000_000, "start_period": 1_000_000_000},  # the image's test, every second
    )
    try:
        deadline = time.monotonic() + 120
        health = None
        while time.monotonic() < deadline and health != "healthy":
            container.reload()
            assert container.status in ("created", "running"), container.logs().decode()[-3000:]
            health = container.attrs["State"].get("Health", {}).get("Status")
            time.sleep(1)
        assert health == "healthy", container.logs().decode()[-3000:]
        answer = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert (answer.status_code, answer.json()["status"]) == (200, "ok")
        assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 503  # no Redis on port 9
    finally:
        container.remove(force=True, v=True)


def test_the_complete_image_ranks_with_the_mounted_model(
    codi_images: dict[str, CodiImage], docker_client: docker.DockerClient
) -> None:
    volumes = {
        str(EXAMPLE): {"bind": "/example", "mode": "ro"},
        str(bundled_model_path()): {"bind": "/models/model.gguf", "mode": "ro"},
    }
    command = ["llm", "rank", "--format", "json", "/example/Dockerfile"]  # the model CODI_LLM_MODEL_PATH names
    container = docker_client.containers.run(
        codi_images["complete"].tag, command, detach=True, read_only=True, tmpfs={"/tmp": ""}, network_mode="none",
        volumes=volumes,
    )
    try:
        assert int(container.wait(timeout=300)["StatusCode"]) == 0, container.logs().decode()[-3000:]
        ranked = json.loads(container.logs(stderr=False).decode())
    finally:
        container.remove(force=True, v=True)
    assert ranked["telemetry"]["model"] == "model" and ranked["telemetry"]["output_tokens"] > 0  # the file's stem


@pytest.mark.parametrize("name", list(DOCKERFILES))
def test_codi_optimize_build_proposes_nothing_more_than_ten_percent_smaller(
    name: str,
    codi_images: dict[str, CodiImage],
    image_context: Path,
    docker_host: str,  # noqa: F811  (fixture)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """codi eats its own cooking. The candidates it proposes for its own Dockerfiles are built and measured
    (`--build`) when there are any; with none (today, for both), the build would only measure the original
    again, which `codi_images` already built, so it is not repeated."""
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    monkeypatch.setenv("CODI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CODI_DATABASE_URL", raising=False)
    argv = ["optimize", str(image_context / DOCKERFILES[name]), "--context", str(image_context)]
    assert main([*argv, "-f", "json"]) == 0, capsys.readouterr().err
    proposed = json.loads(capsys.readouterr().out)["candidates"]
    if not proposed:
        return
    assert main([*argv, "--build", "--network", "host", "-f", "json"]) == 0, capsys.readouterr().err
    document = json.loads(capsys.readouterr().out)
    images = {image["strategy"]: image for image in document["images"]}
    assert images["original"]["status"] == "pass" and images["original"]["smoke"] == "pass"
    smaller = {s: i["size_delta_ratio"] for s, i in images.items() if s != "original" and i["size_delta_ratio"] < -0.10}
    assert not smaller, f"codi proposes images over 10 % smaller than its own: {smaller}"
    # the measured original is the session's image but for its label
    assert abs(images["original"]["size_bytes"] - codi_images[name].size_bytes) < 1_000_000
