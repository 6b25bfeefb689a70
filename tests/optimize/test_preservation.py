"""The preservation check: what a candidate may and may not change against the original."""

from __future__ import annotations

from codi.pipeline.optimize.start import analyze_start
from codi.pipeline.optimize.model import Candidate, Change, Estimate
from codi.pipeline.parser import parse
from codi.pipeline.optimize.preservation import (
    BUILT,
    CONTEXT,
    FileMapping,
    preservation_problems,
    preservation_rejection,
    runtime_profile,
)

ORIGINAL = """\
FROM python:3.11
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
ENV PORT=8000 MODE=prod
LABEL org.opencontainers.image.title=demo
VOLUME /data
EXPOSE 8000
CMD python app.py
"""

MULTI_STAGE = """\
FROM python:3.11 AS builder
WORKDIR /app
COPY requirements.txt .
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt
FROM python:3.11-slim
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY . .
ENV PORT=8000 MODE=prod
LABEL org.opencontainers.image.title=demo
VOLUME /data
EXPOSE 8000
USER 10001
CMD ["python", "app.py"]
"""

DECLARED = (Change("multi-stage", "builder stage"), Change("base-image", "slim"), Change("user", "non-root"))


def problems(original: str, candidate: str, changes=DECLARED) -> list[str]:
    document = parse(original)
    return preservation_problems(
        runtime_profile(document), runtime_profile(parse(candidate)), analyze_start(document), changes
    )


def test_a_faithful_multi_stage_candidate_passes() -> None:
    assert problems(ORIGINAL, MULTI_STAGE) == []


def test_undeclared_user_and_base_image_changes_are_problems() -> None:
    found = problems(ORIGINAL, MULTI_STAGE, changes=(Change("multi-stage", "builder stage"),))
    assert found == [
        "USER 10001 instead of (none), not listed as a change",
        "base image python:3.11-slim instead of python:3.11, not listed as a change",
    ]


def test_dropping_an_expose_is_rejected() -> None:
    found = problems(ORIGINAL, MULTI_STAGE.replace("EXPOSE 8000\n", ""))
    assert found == ["drops EXPOSE 8000/tcp"]


def test_changing_the_cmd_is_rejected() -> None:
    found = problems(ORIGINAL, MULTI_STAGE.replace('["python", "app.py"]', '["python", "main.py"]'))
    assert found == ['start command ["python", "main.py"] instead of ["/bin/sh", "-c", "python app.py"]']


def test_the_exec_form_of_a_convertible_shell_command_is_the_same_command() -> None:
    assert problems(ORIGINAL, ORIGINAL.replace("CMD python app.py", 'CMD ["python", "app.py"]'), ()) == []


def test_exec_inserted_before_the_last_command_is_the_same_command() -> None:
    original = "FROM alpine:3.20\nENTRYPOINT cd /srv && ./run.sh\n"
    assert problems(original, original.replace("&& ./run", "&& exec ./run"), ()) == []
    assert problems(original, original.replace("&& ./run", "&& exec ./other"), ()) != []


def test_losing_an_application_file_is_rejected() -> None:
    original = "FROM node:20\nWORKDIR /app\nCOPY server.js config.json ./\nCMD [\"node\", \"server.js\"]\n"
    candidate = original.replace(" config.json", "")
    assert problems(original, candidate, ()) == ["loses application file(s) config.json at /app/config.json"]


def test_copying_more_of_the_context_is_rejected() -> None:
    original = "FROM node:20\nWORKDIR /app\nCOPY server.js ./\nCMD [\"node\", \"server.js\"]\n"
    candidate = original.replace("COPY server.js ./", "COPY . .")
    assert problems(original, candidate, ()) == ["adds application file(s) . at /app"]


def test_env_label_workdir_and_volume_changes_are_named() -> None:
    candidate = (
        MULTI_STAGE.replace("MODE=prod", "MODE=dev")
        .replace("title=demo", "title=other")
        .replace("VOLUME /data", "VOLUME /var/data")
        .replace("WORKDIR /app\nCOPY --from", "WORKDIR /srv\nCOPY --from")
    )
    found = problems(ORIGINAL, candidate)
    assert "ENV MODE=dev instead of prod" in found
    assert "LABEL org.opencontainers.image.title=other instead of demo" in found
    assert "drops VOLUME /data" in found and "adds VOLUME /var/data" in found
    assert "WORKDIR /srv instead of /app" in found


def test_a_whole_context_copy_covers_the_files_copied_one_by_one() -> None:
    original = (
        "FROM python:3.11\nWORKDIR /app\nCOPY app.py requirements.txt ./\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    )
    candidate = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    assert problems(original, candidate, ()) == []


def test_copy_from_a_builder_is_traced_back_to_the_context() -> None:
    document = parse(
        "FROM node:20 AS build\nWORKDIR /src\nCOPY . .\nRUN npm ci && npm run build\n"
        "FROM nginx:1.27\nCOPY --from=build /src/dist /usr/share/nginx/html\n"
    )
    assert runtime_profile(document).files == (FileMapping(CONTEXT, "dist", "/usr/share/nginx/html"),)


def test_a_compiled_program_may_replace_its_sources_in_a_multi_stage_candidate() -> None:
    original = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app .\nCMD [\"/bin/app\"]\n"
    candidate = (
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
        "RUN go build -o /bin/app .\nFROM gcr.io/distroless/static-debian12\nWORKDIR /src\n"
        "COPY --from=build /bin/app /bin/app\nCMD [\"/bin/app\"]\n"
    )
    assert runtime_profile(parse(candidate)).files == (FileMapping(BUILT, "/bin/app", "/bin/app"),)
    assert problems(original, candidate) == []
    assert problems(original, candidate, (Change("base-image", "distroless"),)) == [
        "loses application file(s) . at /src"
    ]


def test_sources_the_start_command_runs_must_stay_in_the_image() -> None:
    original = (
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        "CMD [\"python\", \"app.py\"]\n"
    )
    candidate = (
        "FROM python:3.11 AS build\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY --from=build /usr/local /usr/local\nCMD [\"python\", \"app.py\"]\n"
    )
    assert problems(original, candidate) == ["loses /app/app.py, which the start command runs"]


def test_maintainer_reads_as_the_maintainer_label() -> None:
    original = "FROM alpine:3.20\nMAINTAINER Jane <jane@example.com>\n"
    assert problems(original, 'FROM alpine:3.20\nLABEL maintainer="Jane <jane@example.com>"\n', ()) == []


def test_rejection_names_the_strategy_and_what_differs() -> None:
    document = parse(ORIGINAL)
    text = MULTI_STAGE.replace("EXPOSE 8000\n", "")
    candidate = Candidate("multi-stage", text, DECLARED, Estimate(None, None, 0, 0, "test"))
    rejection = preservation_rejection(runtime_profile(document), candidate, parse(text), analyze_start(document))
    assert rejection is not None and rejection.strategy == "multi-stage"
    assert rejection.reason == "does not preserve the original: drops EXPOSE 8000/tcp"


def test_a_candidate_that_does_not_parse_is_rejected() -> None:
    document = parse(ORIGINAL)
    text = "FROM python:3.11\nCOPY\n"
    candidate = Candidate("minimal", text, (), Estimate(None, None, 0, 0, "test"))
    rejection = preservation_rejection(runtime_profile(document), candidate, parse(text), analyze_start(document))
    assert rejection is not None and rejection.reason.startswith("the candidate does not parse (line 2:")


def test_a_directory_copied_from_a_builder_lands_as_itself() -> None:
    original = "FROM node:20\nWORKDIR /usr/src\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"start\"]\n"
    candidate = (
        "FROM node:20 AS builder\nWORKDIR /usr/src\nCOPY . .\nRUN npm ci\n"
        "FROM node:20-slim\nWORKDIR /usr/src\nCOPY --from=builder /usr/src /usr/src\nCMD [\"npm\", \"start\"]\n"
    )
    assert runtime_profile(parse(candidate)).files == (FileMapping(CONTEXT, "", "/usr/src"),)
    assert problems(original, candidate) == []


def test_listed_interpreter_rename_is_accepted_and_unlisted_is_not():
    from codi.pipeline.optimize.model import Change
    from codi.pipeline.optimize.preservation import preservation_problems, runtime_profile
    from codi.pipeline.optimize.start import analyze_start
    from codi.pipeline.parser import parse

    original = parse('FROM python:3.11-slim\nCMD ["python", "app.py"]\n')
    candidate = parse('FROM gcr.io/distroless/python3-debian12:nonroot\nCMD ["python3", "app.py"]\n')
    start = analyze_start(original)
    base = Change("base-image", "distroless runtime")
    listed = preservation_problems(runtime_profile(original), runtime_profile(candidate), start,
                                   [base, Change("start-command", "python is python3 in distroless")])
    assert listed == []
    unlisted = preservation_problems(runtime_profile(original), runtime_profile(candidate), start, [base])
    assert any("start command" in problem for problem in unlisted)
    other = parse('FROM gcr.io/distroless/python3-debian12:nonroot\nCMD ["ruby", "app.py"]\n')
    renamed = preservation_problems(runtime_profile(original), runtime_profile(other), start,
                                    [base, Change("start-command", "not an interpreter rename")])
    assert any("start command" in problem for problem in renamed)


def test_a_candidate_may_run_what_the_wrapper_hands_over_to_when_it_says_so() -> None:
    original = 'FROM node:18\nWORKDIR /app\nCOPY . .\nCMD ["npm", "start"]\n'
    candidate = 'FROM node:18-slim\nWORKDIR /app\nCOPY . .\nUSER 10001\nCMD ["/nodejs/bin/node", "server.js"]\n'
    document = parse(original)
    start = analyze_start(document, {"package.json": '{"scripts": {"start": "node server.js"}}'})
    before, after = runtime_profile(document), runtime_profile(parse(candidate))
    said = (*DECLARED, Change("start-command", "npm start hands over to node server.js"))
    assert preservation_problems(before, after, start, said) == []
    assert any(p.startswith("start command") for p in preservation_problems(before, after, start, DECLARED))
    other = runtime_profile(parse(candidate.replace("server.js", "other.js")))
    assert any(p.startswith("start command") for p in preservation_problems(before, other, start, said))


def test_a_jar_glob_is_matched_by_the_fixed_name_the_candidate_copies_to() -> None:
    original = "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY . .\nRUN ./mvnw package\nCMD sh -c 'java -jar target/*.jar'\n"
    candidate = (
        "FROM eclipse-temurin:17-jdk AS builder\nWORKDIR /app\nCOPY . .\nRUN ./mvnw package\n"
        "FROM eclipse-temurin:17-jre\nCOPY --from=builder /app/target/*.jar /app/target/app.jar\nWORKDIR /app\n"
        'USER 10001\nCMD ["java", "-jar", "target/app.jar"]\n'
    )
    document = parse(original)
    said = (*DECLARED, Change("start-command", "resolved"))
    found = preservation_problems(runtime_profile(document), runtime_profile(parse(candidate)), analyze_start(document), said)
    assert not any(p.startswith("start command") for p in found), found
