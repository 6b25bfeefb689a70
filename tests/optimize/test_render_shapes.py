"""The real apps' shapes (small Dockerfiles of our own) through `optimize`: the transformed candidates pass
the preservation check with their resolved start commands, lock files and WORKDIRs."""

from __future__ import annotations

from codi.pipeline.optimize.optimizer import optimize

from tests.optimize.test_render import BULLETIN_BOARD, DJANGOX, NODE_CONTEXT


def _candidates(text: str, context: dict[str, str] | None = None) -> dict[str, str]:
    result = optimize("Dockerfile", text, context)
    return {candidate.strategy: candidate.dockerfile for candidate in result.candidates}


def test_a_gunicorn_app_gets_a_distroless_candidate_running_gunicorn_as_a_module() -> None:
    text = (
        "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nEXPOSE 8081\n"
        'CMD ["gunicorn", "--bind", "0.0.0.0:8081", "app:app"]\n'
    )
    candidates = _candidates(text, {"requirements.txt": "flask\ngunicorn\n", "app.py": ""})
    assert 'CMD ["python3", "-m", "gunicorn", "--bind", "0.0.0.0:8081", "app:app"]' in candidates["minimal"]
    assert 'CMD ["gunicorn", "--bind", "0.0.0.0:8081", "app:app"]' in candidates["multi-stage"]


def test_npm_start_of_a_dependencys_command_gets_a_distroless_candidate() -> None:
    text = 'FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm install\nEXPOSE 8084\nCMD ["npm", "start"]\n'
    package = '{"scripts": {"start": "http-server public -p 8084"}, "dependencies": {"http-server": "14.1.1"}}'
    candidates = _candidates(text, {"package.json": package, "package-lock.json": "{}", "public/index.html": ""})
    assert 'CMD ["/nodejs/bin/node", "node_modules/.bin/http-server", "public", "-p", "8084"]' in candidates["minimal"]


def test_the_bulletin_board_shape_keeps_the_lock_file_npm_writes() -> None:
    candidates = _candidates(BULLETIN_BOARD, NODE_CONTEXT)
    assert set(candidates) == {"multi-stage", "minimal"}
    assert all("/usr/src/app/package-lock.json /usr/src/app/package-lock.json" in text for text in candidates.values())


def test_the_djangox_shape_gets_a_minimal_candidate() -> None:
    candidates = _candidates(DJANGOX, {"requirements.txt": "django\n", "manage.py": ""})
    assert "minimal" in candidates
    assert "FROM gcr.io/distroless/python3-debian12:nonroot\n" in candidates["minimal"]
