"""Golden, determinism and lint tests of the optimiser's multi-stage and minimal candidates.

Each `golden/<stack>/Dockerfile` is a small realistic single-stage original;
`golden/<stack>/<strategy>.Dockerfile` is the candidate codi must render,
byte for byte. After a deliberate change to a template, module or the
catalog, rewrite the expected files with

    CODI_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/modules

and review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from codi.pipeline.optimize.strategies.render import CANDIDATE_LINT, SKIPPED, dependency_steps_before_manifests, render_candidates
from codi.pipeline.optimize.estimate import estimate_change
from codi.pipeline.findings import Severity
from codi.pipeline.lint import lint_text
from codi.pipeline.optimize.model import StackReport, StartCommand
from codi.pipeline.parser import parse
from codi.rules.catalog import load_catalog

GOLDEN = Path(__file__).parent / "golden"
PORTS = {"python": 8000, "node": 3000, "go": 8080, "java": 8080, "rust": None, "ruby": 4567}
EXPECTED_STRATEGIES = {
    "python": ("multi-stage",),
    "node": ("multi-stage", "minimal"),
    "go": ("multi-stage", "minimal"),
    "java": ("multi-stage", "minimal"),
    "rust": ("multi-stage", "minimal"),
    "ruby": ("multi-stage",),
}


def _report(stack: str, port: int | None = None) -> StackReport:
    return StackReport(stack, 1.0, (), False, 0, (), port)


def _render(text: str, stack: str, start: StartCommand | None = None, context_files=None):
    start = start or StartCommand(None, False, None, None)
    return render_candidates(parse(text), _report(stack, PORTS.get(stack)), start, load_catalog(), context_files)


@pytest.mark.parametrize("stack", sorted(EXPECTED_STRATEGIES))
def test_golden_candidates(stack: str) -> None:
    folder = GOLDEN / stack
    candidates, rejections = _render((folder / "Dockerfile").read_text(), stack)
    assert tuple(c.strategy for c in candidates) == EXPECTED_STRATEGIES[stack], rejections
    for candidate in candidates:
        expected = folder / f"{candidate.strategy}.Dockerfile"
        if os.environ.get("CODI_UPDATE_GOLDEN") == "1":
            expected.write_text(candidate.dockerfile)
        assert candidate.dockerfile == expected.read_text(), f"{stack} {candidate.strategy}"
    expected_files = {p.name for p in folder.glob("*.Dockerfile")}
    assert expected_files == {f"{c.strategy}.Dockerfile" for c in candidates}


@pytest.mark.parametrize("stack", sorted(EXPECTED_STRATEGIES))
def test_candidates_lint_clean_and_are_deterministic(stack: str) -> None:
    text = (GOLDEN / stack / "Dockerfile").read_text()
    first, _ = _render(text, stack)
    second, _ = _render(text, stack)
    def facts(candidates):
        return [(c.dockerfile, c.identity, c.changes) for c in candidates]

    assert facts(first) == facts(second)
    for candidate in first:
        findings = lint_text(candidate.dockerfile, CANDIDATE_LINT).findings
        bad = [f for f in findings if f.severity in (Severity.WARNING, Severity.ERROR)]
        assert bad == [], (stack, candidate.strategy, bad)
        assert "USER 10001:10001" in candidate.dockerfile
        assert candidate.template == f"{stack}-{candidate.strategy}"
        assert ("security", "1.1.0") in candidate.module_versions


def test_skipped_strategies_say_why() -> None:
    _, rejections = _render((GOLDEN / "ruby" / "Dockerfile").read_text(), "ruby")
    assert [r.strategy for r in rejections] == ["minimal"]
    assert rejections[0].reason.startswith(SKIPPED) and "distroless" in rejections[0].reason


def test_python_minimal_needs_the_distroless_python_version() -> None:
    _, rejections = _render((GOLDEN / "python" / "Dockerfile").read_text().replace("3.11", "3.12"), "python")
    assert [r.strategy for r in rejections] == ["minimal"]
    assert "3.12" in rejections[0].reason


def test_multi_stage_original_is_not_rewritten() -> None:
    text = (
        "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
        'FROM alpine:3.20\nCOPY --from=build /app /app\nCMD ["/app"]\n'
    )
    candidates, rejections = _render(text, "go")
    assert candidates == []
    assert all("already multi-stage" in r.reason for r in rejections)


def test_shell_form_start_uses_the_exec_conversion() -> None:
    text = (GOLDEN / "go" / "Dockerfile").read_text().replace('ENTRYPOINT ["api"]', "ENTRYPOINT api")
    start = StartCommand(None, True, ("api",), None)
    candidates, _ = _render(text, "go", start)
    assert candidates and all('ENTRYPOINT ["api"]' in c.dockerfile for c in candidates)


def test_unconvertible_shell_form_start_is_rejected_with_the_reason() -> None:
    text = (GOLDEN / "go" / "Dockerfile").read_text().replace('ENTRYPOINT ["api"]', "ENTRYPOINT api $FLAGS")
    start = StartCommand(None, True, None, "it expands $FLAGS")
    candidates, rejections = _render(text, "go", start)
    assert candidates == []
    assert all("expands $FLAGS" in r.reason for r in rejections)


def test_a_run_of_unknown_purpose_is_carried_into_the_runtime_in_order_and_said_so() -> None:
    original = (GOLDEN / "python" / "Dockerfile").read_text()
    text = original.replace("COPY . .\n", "COPY . .\nRUN python manage.py collectstatic\n")
    candidates, rejections = _render(text, "python")
    assert [c.strategy for c in candidates] == ["multi-stage"], rejections
    runtime = candidates[0].dockerfile.split("\nFROM python:3.11-slim\n")[1]
    assert runtime.index("COPY --chown=10001:10001 . /app/") < runtime.index("RUN python manage.py collectstatic")
    assert "collectstatic" not in _builder(candidates[0])
    carried = [c.description for c in candidates[0].changes if c.kind == "carried"]
    assert carried and carried[0].startswith("line 9: `RUN python manage.py collectstatic` is carried into the runtime")


def test_candidate_changes_list_the_user_and_the_runtime_image() -> None:
    candidates, _ = _render((GOLDEN / "node" / "Dockerfile").read_text(), "node")
    minimal = next(c for c in candidates if c.strategy == "minimal")
    kinds = [change.kind for change in minimal.changes]
    expected = {"multi-stage", "base-image", "user", "cache-mount", "entrypoint", "start-command", "module-skipped"}
    assert expected <= set(kinds)
    assert 'CMD ["/nodejs/bin/node", "server.js"]' in minimal.dockerfile


COPY_ALL_NODE = 'FROM node:20\nWORKDIR /usr/src\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD ["npm", "start"]\n'
"""Corpus file 0240's shape: the whole context copied, then `npm ci`."""


def _builder(candidate) -> str:
    return candidate.dockerfile.split("\n\n# codi: runtime stage")[0]


def test_manifests_are_copied_before_the_dependency_install_when_the_original_copies_everything() -> None:
    candidates, rejections = _render(COPY_ALL_NODE, "node")
    assert candidates, rejections
    for candidate in candidates:
        builder = _builder(candidate)
        assert builder.index("COPY package.json package-lock.json ./") < builder.index("npm ci") < builder.index(
            "COPY . ."
        )


def test_optional_manifests_come_from_the_context_or_an_optional_glob() -> None:
    text = COPY_ALL_NODE.replace("npm ci", "yarn install")
    unknown, _ = _render(text, "node")
    assert "COPY package.json yarn.loc[k] ./" in _builder(unknown[0])
    known, _ = _render(text, "node", context_files=frozenset({"package.json", "src/index.js"}))
    assert "COPY package.json ./" in _builder(known[0])


def test_a_required_manifest_missing_from_the_context_is_a_reason() -> None:
    candidates, rejections = _render(COPY_ALL_NODE, "node", context_files=frozenset({"package.json"}))
    assert candidates == []
    assert all("needs package-lock.json, which is not in the build context" in r.reason for r in rejections)


def test_requirements_in_a_folder_keep_their_path() -> None:
    text = (GOLDEN / "python" / "Dockerfile").read_text()
    text = text.replace("COPY requirements.txt .\n", "").replace("-r requirements.txt", "-r requirements/prod.txt")
    candidates, rejections = _render(text, "python")
    assert candidates, rejections
    assert "COPY requirements/prod.txt requirements/" in _builder(candidates[0])


def test_manifests_that_cannot_be_determined_are_a_reason() -> None:
    text = COPY_ALL_NODE.replace("COPY . .", "COPY src /usr/src")
    candidates, rejections = _render(text, "node")
    assert candidates == []
    assert all("cannot tell which manifests to copy" in r.reason for r in rejections)


def test_the_self_check_finds_a_dependency_step_before_its_manifests() -> None:
    broken = "FROM node:20 AS builder\nWORKDIR /app\nRUN npm ci\nCOPY . .\nFROM node:20-slim\nCMD [\"node\"]\n"
    expected = ["line 3 runs npm before package.json, package-lock.json is copied"]
    assert dependency_steps_before_manifests(parse(broken)) == expected
    fixed = broken.replace("RUN npm ci\nCOPY . .", "COPY package*.json ./\nRUN npm ci")
    assert dependency_steps_before_manifests(parse(fixed)) == []


@pytest.mark.parametrize("stack", sorted(EXPECTED_STRATEGIES))
def test_every_candidate_is_made_with_its_estimate(stack: str) -> None:
    text = (GOLDEN / stack / "Dockerfile").read_text()
    candidates, _ = _render(text, stack)
    for candidate in candidates:
        assert candidate.estimate == estimate_change(parse(text), parse(candidate.dockerfile))
        assert candidate.estimate.size_bytes_after is not None and candidate.estimate.layers_after > 0


NAIVE_FLASK = (
    "FROM python:3.11\nRUN apt-get update\nRUN apt-get install -y build-essential curl\nCOPY . .\n"
    "RUN pip install -r requirements.txt\nCMD python app.py\n"
)
"""The issue's naive Flask Dockerfile: the index update in a RUN of its own, no WORKDIR."""


def _runtime(candidate) -> str:
    return candidate.dockerfile.split("\n\n# codi: runtime stage")[1]


def test_a_standalone_apt_get_update_stays_with_its_install_and_build_tools_stay_in_the_builder() -> None:
    start = StartCommand(None, True, ("python", "app.py"), None)
    candidates, rejections = _render(NAIVE_FLASK, "python", start)
    assert [c.strategy for c in candidates] == ["multi-stage"], rejections
    builder, runtime = _builder(candidates[0]), _runtime(candidates[0])
    assert builder.index("RUN apt-get update\n") < builder.index("RUN apt-get install -y build-essential curl")
    assert runtime.index("RUN apt-get update\n") < runtime.index("RUN apt-get install -y curl\n")
    assert "build-essential" not in runtime
    assert any(c.kind == "toolchain" and "build-essential" in c.description for c in candidates[0].changes)
    assert "WORKDIR" not in candidates[0].dockerfile and 'CMD ["python", "app.py"]' in runtime


def test_headers_become_their_run_time_library_with_the_same_pin() -> None:
    candidates, _ = _render((GOLDEN / "python" / "Dockerfile").read_text(), "python")
    runtime = _runtime(candidates[0])
    assert "libpq5=15.6-0+deb12u1" in runtime and "gcc" not in runtime and "libpq-dev" not in runtime


def test_an_unknown_header_is_kept_in_the_runtime_so_no_candidate_drops_its_library() -> None:
    text = (GOLDEN / "python" / "Dockerfile").read_text().replace("libpq-dev=15.6-0+deb12u1", "libfoo-dev=1.0")
    candidates, rejections = _render(text, "python")
    assert candidates == []  # the header stays in the runtime, where CD2002 reports it: no silent breakage
    assert "CD2002" in next(r.reason for r in rejections if r.strategy == "multi-stage")


def test_pip_upgrade_and_an_editable_install_are_the_dependency_step() -> None:
    text = (
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\n"
        "RUN pip install --upgrade pip && pip install -e .\nCMD [\"python\", \"-m\", \"shop\"]\n"
    )
    candidates, rejections = _render(text, "python")
    assert candidates, rejections
    builder = _builder(candidates[0])
    # pip's own upgrade is the builder's: only the application's packages go under /install for the runtime
    assert builder.index("COPY . .") < builder.index("pip install --upgrade pip && pip install --root=/install -e .")


def test_several_workdirs_shell_onbuild_heredoc_and_labels_are_carried_over() -> None:
    text = (
        'FROM node:20\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nLABEL team=web\nWORKDIR /srv\n'
        "COPY <<EOF /srv/motd\nhello\nEOF\nWORKDIR /srv/app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "ONBUILD RUN echo child\nHEALTHCHECK CMD [\"node\", \"-e\", \"1\"]\nCMD [\"node\", \"server.js\"]\n"
    )
    candidates, rejections = _render(text, "node")
    multi = next(c for c in candidates if c.strategy == "multi-stage")
    runtime = _runtime(multi)
    for line in ('SHELL ["/bin/bash", "-o", "pipefail", "-c"]', "LABEL team=web", "ONBUILD RUN echo child",
                 "COPY <<EOF /srv/motd\nhello\nEOF", 'HEALTHCHECK CMD ["node", "-e", "1"]', "WORKDIR /srv/app"):
        assert line in runtime, line
    assert "SHELL" in _builder(multi)
    assert any("HEALTHCHECK" in r.reason or "heredoc" in r.reason or r.strategy == "minimal" for r in rejections) or len(candidates) == 2


def test_the_originals_user_is_kept_and_no_user_is_added() -> None:
    text = 'FROM node:18\nWORKDIR /app\nCOPY package.json .\nRUN npm install\nCOPY . .\nUSER node\nCMD ["node", "server.js"]\n'
    candidates, rejections = _render(text, "node")
    multi = next(c for c in candidates if c.strategy == "multi-stage")
    assert "USER node" in _runtime(multi) and "10001" not in multi.dockerfile and "useradd" not in multi.dockerfile
    minimal = next(c for c in candidates if c.strategy == "minimal")
    assert "USER 1000:1000" in _runtime(minimal)
    assert any(c.kind == "user" and "1000:1000" in c.description for c in minimal.changes)


def test_an_added_user_owns_the_app_folder() -> None:
    candidates, _ = _render((GOLDEN / "node" / "Dockerfile").read_text(), "node")
    for candidate in candidates:
        runtime = _runtime(candidate)
        assert "COPY --chown=10001:10001 . /usr/src/app/" in runtime
        assert runtime.index("COPY --chown") < runtime.index("WORKDIR /usr/src/app")
    multi = next(c for c in candidates if c.strategy == "multi-stage")
    assert "chown 10001:10001 /usr/src/app" in multi.dockerfile


def test_npm_start_is_resolved_for_a_runtime_without_npm() -> None:
    text = COPY_ALL_NODE.replace("RUN npm run build\n", "")
    start = StartCommand(("npm", "start"), False, None, None, resolved=("node", "server.js"))
    candidates, rejections = _render(text, "node", start)
    minimal = next(c for c in candidates if c.strategy == "minimal")
    assert 'CMD ["/nodejs/bin/node", "server.js"]' in minimal.dockerfile
    multi = next(c for c in candidates if c.strategy == "multi-stage")
    assert 'CMD ["npm", "start"]' in multi.dockerfile
    unresolved, rejections = _render(text, "node")
    assert [c.strategy for c in unresolved] == ["multi-stage"]
    assert "runs npm" in next(r.reason for r in rejections if r.strategy == "minimal")


def test_a_jar_glob_is_copied_to_a_fixed_name_the_glob_matches() -> None:
    text = (
        "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY .mvn/ .mvn\nCOPY mvnw pom.xml ./\nCOPY src ./src\n"
        "RUN chmod +x mvnw\nRUN ./mvnw clean package -DskipTests\nCMD sh -c 'java -jar target/*.jar'\n"
    )
    start = StartCommand(
        ("/bin/sh", "-c", "sh -c 'java -jar target/*.jar'"), True, ("sh", "-c", "java -jar target/*.jar"), None,
        resolved=("java", "-jar", "target/*.jar"),
    )
    candidates, rejections = _render(text, "java", start)
    assert [c.strategy for c in candidates] == ["multi-stage", "minimal"], rejections
    for candidate in candidates:
        assert "COPY --from=builder --chown=10001:10001 /app/target/*.jar /app/target/app.jar" in candidate.dockerfile
        assert 'CMD ["java", "-jar", "target/app.jar"]' in candidate.dockerfile
        assert "RUN chmod +x mvnw" in _builder(candidate) and "chmod +x" not in _runtime(candidate)


def test_go_builds_with_both_caches_mounted() -> None:
    candidates, _ = _render((GOLDEN / "go" / "Dockerfile").read_text(), "go")
    for candidate in candidates:
        assert (
            "RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build"
            in candidate.dockerfile
        )
        assert "RUN --mount=type=cache,target=/go/pkg/mod go mod download" in candidate.dockerfile


def test_a_static_go_build_gets_distroless_static_and_a_cgo_one_distroless_base() -> None:
    text = (GOLDEN / "go" / "Dockerfile").read_text()
    cgo, _ = _render(text, "go")
    static, _ = _render(text.replace("RUN go build", "RUN CGO_ENABLED=0 go build"), "go")
    assert "FROM gcr.io/distroless/base-debian12:nonroot" in cgo[1].dockerfile
    assert "FROM gcr.io/distroless/static-debian12:nonroot" in static[1].dockerfile


def test_compiled_stacks_copy_the_files_the_program_reads_at_run_time() -> None:
    text = (
        "FROM rust:1.77\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo build --release\n"
        'CMD ["./target/release/app"]\n'
    )
    context = frozenset({"Cargo.toml", "Cargo.lock", "src/main.rs", "static/index.html", "README.md", "config.toml"})
    candidates, rejections = _render(text, "rust", context_files=context)
    assert candidates, rejections
    for candidate in candidates:
        runtime = _runtime(candidate)
        assert "COPY --chown=10001:10001 static /usr/src/app/static/" in runtime
        assert "COPY --chown=10001:10001 config.toml /usr/src/app/config.toml" in runtime
        assert "src" not in runtime.replace("/usr/src", "") and "README" not in runtime


def test_python_on_an_older_version_gets_its_own_slim_runtime() -> None:
    text = (GOLDEN / "python" / "Dockerfile").read_text().replace("python:3.11", "python:3.9")
    candidates, rejections = _render(text, "python")
    assert "FROM python:3.9-slim" in candidates[0].dockerfile, rejections


def test_a_runtime_run_that_needs_a_program_the_slim_image_lacks_is_a_reason() -> None:
    text = (GOLDEN / "python" / "Dockerfile").read_text().replace("COPY . .\n", "COPY . .\nRUN curl -fsSL https://example.com/x -o x\n")
    candidates, rejections = _render(text, "python")
    assert candidates == []
    assert any("runs curl" in r.reason for r in rejections)


BULLETIN_BOARD = (
    'FROM node:18-slim\nWORKDIR /usr/src/app\nCOPY package.json .\nRUN npm install\n'
    'EXPOSE 8080\nCMD ["node", "server.js"]\nCOPY . .\n'
)
"""dockersamples/node-bulletin-board's shape: only package.json before `npm install`, no lock file in the context."""
NODE_CONTEXT = {"package.json": '{"dependencies": {"express": "4"}}', "server.js": "require('express')"}


def test_the_lock_file_the_install_writes_comes_from_the_builder_before_the_later_copies() -> None:
    candidates, rejections = _render(BULLETIN_BOARD, "node", context_files=NODE_CONTEXT)
    assert [c.strategy for c in candidates] == ["multi-stage", "minimal"], rejections
    lock = "COPY --from=builder --chown=10001:10001 /usr/src/app/package-lock.json /usr/src/app/package-lock.json"
    for candidate in candidates:
        runtime = _runtime(candidate)
        assert runtime.index("/usr/src/app/node_modules") < runtime.index(lock) < runtime.index("COPY --chown=10001:10001 . /usr/src/app/")
        assert any(c.kind == "lock-file" for c in candidate.changes)


def test_no_lock_file_is_copied_back_when_the_original_copies_one_or_the_install_writes_none() -> None:
    with_lock = {**NODE_CONTEXT, "package-lock.json": "{}"}
    globbed = BULLETIN_BOARD.replace("COPY package.json .", "COPY package*.json ./")
    for text, context in (
        (globbed, with_lock),
        ('FROM node:18-slim\nWORKDIR /usr/src/app\nCOPY . .\nRUN npm install\nCMD ["node", "server.js"]\n', with_lock),
        (BULLETIN_BOARD.replace("npm install", "npm ci"), with_lock),
        (BULLETIN_BOARD.replace("npm install", "npm install --no-package-lock"), NODE_CONTEXT),
    ):
        candidates, rejections = _render(text, "node", context_files=context)
        assert candidates, rejections
        assert all("package-lock.json /usr/src/app/package-lock.json" not in c.dockerfile for c in candidates), text
    # a glob that matches no lock file in the context: npm writes one
    candidates, _ = _render(globbed, "node", context_files=NODE_CONTEXT)
    assert all("/usr/src/app/package-lock.json /usr/src/app/package-lock.json" in c.dockerfile for c in candidates)


DJANGOX = (
    "FROM python:3.11-slim\nENV PYTHONUNBUFFERED 1\nRUN mkdir -p /code\nWORKDIR /code\n"
    "COPY requirements.txt /tmp/requirements.txt\n"
    "RUN set -ex && pip install --upgrade pip && pip install -r /tmp/requirements.txt && rm -rf /root/.cache/\n"
    'COPY . /code/\nEXPOSE 8000\nCMD ["python", "manage.py", "runserver", "0.0.0.0:8000"]\n'
)
"""wsvincent/djangox's shape: a `mkdir` RUN before its WORKDIR, pip upgraded with the requirements."""


def test_a_mkdir_run_is_workdir_in_a_runtime_without_a_shell() -> None:
    candidates, rejections = _render(DJANGOX, "python")
    minimal = next((c for c in candidates if c.strategy == "minimal"), None)
    assert minimal is not None, rejections
    runtime = _runtime(minimal)
    assert "mkdir" not in runtime and "RUN" not in runtime
    assert runtime.index("WORKDIR /code") < runtime.index("COPY --chown=10001:10001 . /code/")
    assert "RUN mkdir -p /code" in _builder(minimal)
    assert any(c.kind == "directories" and "line 3" in c.description for c in minimal.changes)
    assert not any(c.kind == "carried" and "runtime" in c.description.split("stage")[0] for c in minimal.changes)
    multi = next(c for c in candidates if c.strategy == "multi-stage")
    assert "RUN mkdir -p /code" in _runtime(multi)


def test_a_mkdir_run_without_a_workdir_after_it_needs_a_shell() -> None:
    text = DJANGOX.replace("WORKDIR /code\n", "").replace("COPY . /code/", "COPY . /code/\nCOPY run.py /run.py")
    text = text.replace('"manage.py"', '"/code/manage.py"')
    candidates, rejections = _render(text, "python")
    assert [c.strategy for c in candidates] == ["multi-stage"]
    reason = next(r.reason for r in rejections if r.strategy == "minimal")
    assert "line 3" in reason and "the directory the program starts in" in reason


def test_pip_upgrading_itself_stays_in_the_builder() -> None:
    candidates, _ = _render(DJANGOX, "python")
    for candidate in candidates:
        assert "pip install --upgrade pip && pip install --root=/install -r /tmp/requirements.txt" in _builder(candidate)
    setuptools = DJANGOX.replace("--upgrade pip", "--upgrade pip setuptools")
    candidates, _ = _render(setuptools, "python")
    assert all("pip install --root=/install --upgrade pip setuptools" in _builder(c) for c in candidates)
