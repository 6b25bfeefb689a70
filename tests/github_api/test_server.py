"""The local GitHub API server: what it accepts (githubkit's own calls), what it refuses, and its fakes."""

from __future__ import annotations

import asyncio
import base64
import json
import time

import httpx
import jwt
import pytest
from githubkit import AppInstallationAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import RequestFailed

from tests.github_api.fixtures import (  # noqa: F401 (github_api, github_app: fixtures)
    GitHubAppCredentials,
    github_api,
    github_app,
    make_app_credentials,
)
from tests.github_api.git import diff_files
from tests.github_api.server import FakeGitHub
from tests.github_api.webhooks import sign, webhook_payload

OWNER, REPO, INSTALLATION = "octo-org", "service", 77
BASE = {"Dockerfile": "FROM python:3.11\nRUN pip install flask\nCMD [\"python\", \"app.py\"]\n"}
HEAD = {
    "Dockerfile": "FROM python:3.11\nRUN apt-get update && apt-get install -y curl\nRUN pip install flask\n"
    'CMD ["python", "app.py"]\n',
    "docker/worker.Dockerfile": "FROM alpine\nRUN apk add bash\n",
}


def seed(server: FakeGitHub, **pull_options):
    server.add_installation(INSTALLATION, OWNER)
    server.add_repo(OWNER, REPO, INSTALLATION)
    return server.add_pull(OWNER, REPO, 7, BASE, HEAD, **pull_options)


def client(server: FakeGitHub, app: GitHubAppCredentials) -> GitHub:
    auth = AppInstallationAuthStrategy(app.app_id, app.private_key_pem, INSTALLATION)
    # A cache of its own, so no installation token cached by an earlier test is reused.
    return GitHub(auth, base_url=server.url + "/", auto_retry=False, cache_strategy=MemCacheStrategy())


def token_for(server: FakeGitHub, app: GitHubAppCredentials) -> str:
    now = int(time.time())
    assertion = jwt.encode({"iss": str(app.app_id), "iat": now - 60, "exp": now + 540}, app.private_key_pem, "RS256")
    reply = httpx.post(f"{server.url}/app/installations/{INSTALLATION}/access_tokens",
                       headers={"Authorization": f"Bearer {assertion}"})
    assert reply.status_code == 201, reply.text
    return reply.json()["token"]


def test_githubkit_calls_are_accepted_and_answered_with_schema_valid_data(github_api, github_app):
    pull = seed(github_api)
    gh = client(github_api, github_app)

    async def scenario():
        run = await gh.rest.checks.async_create(OWNER, REPO, name="codi", head_sha=pull.head_sha, status="in_progress")
        files = [f async for f in gh.rest.paginate(gh.rest.pulls.async_list_files, owner=OWNER, repo=REPO,
                                                     pull_number=7, per_page=1)]
        content = await gh.rest.repos.async_get_content(OWNER, REPO, "Dockerfile", ref=pull.head_sha)
        details = await gh.rest.pulls.async_get(OWNER, REPO, 7)
        return run.parsed_data, files, content.parsed_data, details.parsed_data

    run, files, content, details = asyncio.run(scenario())

    assert run.status == "in_progress" and run.conclusion is None and run.head_sha == pull.head_sha
    assert [f.filename for f in files] == ["Dockerfile", "docker/worker.Dockerfile"]
    assert [f.status for f in files] == ["modified", "added"]
    assert files[0].patch.startswith("@@ -1,3 +1,4 @@\n FROM python:3.11\n+RUN apt-get update")
    assert base64.b64decode(content.content).decode() == HEAD["Dockerfile"]
    assert details.head.sha == pull.head_sha and details.base.sha == pull.base_sha
    assert github_api.violations == []
    listing = [r for r in github_api.requests if r.operation_id == "pulls/list-files"]
    assert [r.query.get("page") for r in listing] == [None, ["2"]]  # githubkit followed the Link header


def test_pagination_link_header_names_next_and_last(github_api, github_app):
    seed(github_api)
    reply = httpx.get(f"{github_api.url}/repos/{OWNER}/{REPO}/pulls/7/files?per_page=1",
                      headers={"Authorization": f"token {token_for(github_api, github_app)}"})
    assert reply.status_code == 200 and len(reply.json()) == 1
    assert 'page=2>; rel="next"' in reply.headers["link"] and 'page=2>; rel="last"' in reply.headers["link"]
    assert reply.headers["x-ratelimit-limit"] == "5000" and reply.headers["x-github-request-id"]


def test_invalid_body_is_refused_and_recorded(github_api, github_app):
    pull = seed(github_api)
    reply = httpx.post(f"{github_api.url}/repos/{OWNER}/{REPO}/check-runs",
                       headers={"Authorization": f"token {token_for(github_api, github_app)}"},
                       json={"name": "codi", "head_sha": pull.head_sha, "status": "finished"})
    assert reply.status_code == 422
    [violation] = github_api.violations
    assert violation.kind == "request" and "status" in violation.errors[0] and "finished" in violation.errors[0]
    assert github_api.check_runs(OWNER, REPO) == []


def test_unknown_path_is_refused_and_recorded(github_api, github_app):
    seed(github_api)
    reply = httpx.get(f"{github_api.url}/repos/{OWNER}/{REPO}/dockerfiles",
                      headers={"Authorization": f"token {token_for(github_api, github_app)}"})
    assert reply.status_code == 422
    assert github_api.violations[0].errors == [f"no operation GET /repos/{OWNER}/{REPO}/dockerfiles in GitHub's REST description"]


@pytest.mark.parametrize("claims_change, expected", [
    ({"iss": "1"}, "Issuer"),
    ({"exp_offset": 3600}, "too far in the future"),
    ({"exp_offset": -120}, "expired"),
])
def test_bad_app_jwt_gets_401(github_api, github_app, claims_change, expected):
    seed(github_api)
    now = int(time.time())
    claims = {"iss": str(github_app.app_id), "iat": now - 60, "exp": now + claims_change.pop("exp_offset", 540)}
    claims.update(claims_change)
    assertion = jwt.encode(claims, github_app.private_key_pem, "RS256")
    reply = httpx.post(f"{github_api.url}/app/installations/{INSTALLATION}/access_tokens",
                       headers={"Authorization": f"Bearer {assertion}"})
    assert reply.status_code == 401 and expected in reply.json()["message"]


def test_jwt_signed_by_another_key_gets_401(github_api, github_app, tmp_path):
    stranger = make_app_credentials(tmp_path, github_app.app_id)
    seed(github_api)
    with pytest.raises(AssertionError, match="Signature verification failed"):
        token_for(github_api, stranger)


def test_expired_installation_token_gets_401(github_api, github_app):
    seed(github_api)
    token = token_for(github_api, github_app)
    github_api.expire_tokens()
    reply = httpx.get(f"{github_api.url}/repos/{OWNER}/{REPO}/pulls/7", headers={"Authorization": f"token {token}"})
    assert reply.status_code == 401 and reply.json()["message"] == "Bad credentials"


def test_more_than_50_annotations_per_request_are_refused(github_api, github_app):
    pull = seed(github_api)
    gh = client(github_api, github_app)
    run = gh.rest.checks.create(OWNER, REPO, name="codi", head_sha=pull.head_sha, status="in_progress").parsed_data
    annotation = {"path": "Dockerfile", "start_line": 2, "end_line": 2, "annotation_level": "warning",
                  "message": "Pin versions"}
    ok = gh.rest.checks.update(OWNER, REPO, run.id, output={"title": "codi", "summary": "s",
                                                             "annotations": [annotation] * 50})
    assert ok.status_code == 200 and github_api.violations == []
    too_many = httpx.patch(f"{github_api.url}/repos/{OWNER}/{REPO}/check-runs/{run.id}",
                           headers={"Authorization": f"token {token_for(github_api, github_app)}"},
                           json={"output": {"title": "codi", "summary": "s", "annotations": [annotation] * 51}})
    assert too_many.status_code == 422  # githubkit itself refuses to send this; codi must batch
    assert github_api.violations[0].errors[0].endswith("[maxItems=50]")
    [stored] = github_api.check_runs(OWNER, REPO)
    assert len(stored.annotations) == 50 and stored.annotation_batches == [50]


def test_review_comment_outside_the_diff_is_refused(github_api, github_app):
    pull = seed(github_api)
    gh = client(github_api, github_app)
    with pytest.raises(RequestFailed) as failure:
        gh.rest.pulls.create_review(OWNER, REPO, 7, commit_id=pull.head_sha, event="COMMENT", body="codi",
                                    comments=[{"path": "Dockerfile", "line": 40, "side": "RIGHT", "body": "x"}])
    assert failure.value.response.status_code == 422
    assert failure.value.response.json()["errors"] == ["Line could not be resolved"]
    assert github_api.reviews(OWNER, REPO) == [] and github_api.violations == []


def test_review_with_suggestion_is_stored_and_listed(github_api, github_app):
    pull = seed(github_api)
    gh = client(github_api, github_app)
    body = "```suggestion\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n```"
    gh.rest.pulls.create_review(OWNER, REPO, 7, commit_id=pull.head_sha, event="COMMENT", body="codi",
                                comments=[{"path": "Dockerfile", "line": 2, "side": "RIGHT", "body": body}])
    [review] = github_api.reviews(OWNER, REPO, 7)
    assert review.state == "COMMENTED" and review.comments[0].body == body
    listed = gh.rest.pulls.list_review_comments(OWNER, REPO, 7).parsed_data
    assert [(c.path, c.line, c.body) for c in listed] == [("Dockerfile", 2, body)]
    assert listed[0].diff_hunk.endswith("+RUN apt-get update && apt-get install -y curl")
    gh.rest.pulls.delete_review_comment(OWNER, REPO, listed[0].id)
    assert github_api.review_comments(OWNER, REPO) == [] and github_api.violations == []


def test_multi_line_comment_needs_both_ends_in_one_hunk(github_api, github_app):
    base = {"Dockerfile": "".join(f"RUN step {i}\n" for i in range(20))}
    head = {"Dockerfile": base["Dockerfile"].replace("step 1\n", "step one\n").replace("step 18\n", "step x\n")}
    github_api.add_installation(INSTALLATION, OWNER)
    github_api.add_repo(OWNER, REPO, INSTALLATION)
    pull = github_api.add_pull(OWNER, REPO, 3, base, head)
    gh = client(github_api, github_app)
    with pytest.raises(RequestFailed) as failure:
        gh.rest.pulls.create_review(OWNER, REPO, 3, commit_id=pull.head_sha, event="COMMENT", comments=[
            {"path": "Dockerfile", "start_line": 2, "line": 19, "side": "RIGHT", "body": "x"}])
    assert failure.value.response.json()["errors"] == ["Start line must be part of the same hunk as the line"]


def test_issue_comments_upsert_and_body_limit(github_api, github_app):
    seed(github_api)
    gh = client(github_api, github_app)
    created = gh.rest.issues.create_comment(OWNER, REPO, 7, body="<!-- codi -->\nsummary").parsed_data
    gh.rest.issues.update_comment(OWNER, REPO, created.id, body="<!-- codi -->\nedited")
    with pytest.raises(RequestFailed) as failure:
        gh.rest.issues.update_comment(OWNER, REPO, created.id, body="x" * 65537)
    assert failure.value.response.status_code == 422
    gh.rest.reactions.create_for_issue_comment(OWNER, REPO, created.id, content="eyes")
    [stored] = github_api.issue_comments(OWNER, REPO, 7)
    assert stored.body == "<!-- codi -->\nedited" and stored.reactions == ["eyes"]
    assert [c.body for c in gh.rest.issues.list_comments(OWNER, REPO, 7).parsed_data] == [stored.body]
    assert github_api.violations == []


def test_permission_levels(github_api, github_app):
    seed(github_api)
    github_api.set_permission(OWNER, REPO, "maintainer", "maintain")
    gh = client(github_api, github_app)
    granted = gh.rest.repos.get_collaborator_permission_level(OWNER, REPO, "maintainer").parsed_data
    stranger = gh.rest.repos.get_collaborator_permission_level(OWNER, REPO, "stranger").parsed_data
    assert (granted.permission, granted.role_name) == ("write", "maintain")
    assert stranger.permission == "none" and github_api.violations == []
    with pytest.raises(ValueError, match="permission must be one of"):
        github_api.set_permission(OWNER, REPO, "x", "owner")


def test_git_data_commit_moves_the_pull_request_head(github_api, github_app):
    pull = seed(github_api)
    gh = client(github_api, github_app)
    ref = gh.rest.git.get_ref(OWNER, REPO, f"heads/{pull.head_ref}").parsed_data
    parent = gh.rest.git.get_commit(OWNER, REPO, ref.object_.sha).parsed_data
    blob = gh.rest.git.create_blob(OWNER, REPO, content="FROM alpine:3.20\n").parsed_data
    tree = gh.rest.git.create_tree(OWNER, REPO, base_tree=parent.tree.sha, tree=[
        {"path": "docker/worker.Dockerfile", "mode": "100644", "type": "blob", "sha": blob.sha}]).parsed_data
    commit = gh.rest.git.create_commit(OWNER, REPO, message="codi: apply fixes", tree=tree.sha,
                                       parents=[parent.sha]).parsed_data
    gh.rest.git.update_ref(OWNER, REPO, f"heads/{pull.head_ref}", sha=commit.sha)
    assert pull.head_sha == commit.sha
    assert github_api.files_at(OWNER, REPO, pull.head_ref)["docker/worker.Dockerfile"] == "FROM alpine:3.20\n"
    content = gh.rest.repos.get_content(OWNER, REPO, "docker/worker.Dockerfile", ref=pull.head_ref).parsed_data
    assert base64.b64decode(content.content) == b"FROM alpine:3.20\n"
    with pytest.raises(RequestFailed) as failure:  # not a fast-forward
        gh.rest.git.update_ref(OWNER, REPO, f"heads/{pull.head_ref}", sha=parent.parents[0].sha)
    assert failure.value.response.json()["message"] == "Update is not a fast forward"
    assert github_api.violations == []


def test_missing_content_is_404(github_api, github_app):
    seed(github_api)
    gh = client(github_api, github_app)
    with pytest.raises(RequestFailed) as failure:
        gh.rest.repos.get_content(OWNER, REPO, ".codi.yml", ref="main")
    assert failure.value.response.status_code == 404 and github_api.violations == []


def test_injected_faults_come_back_then_normal_service(github_api, github_app):
    seed(github_api)
    token = token_for(github_api, github_app)
    github_api.inject("GET", r"/pulls/7$", 502, times=1)
    github_api.inject("GET", r"/pulls/7/files$", 403, headers={"Retry-After": "1"},
                      body={"message": "You have exceeded a secondary rate limit.",
                            "documentation_url": "https://docs.github.com/rest"})
    url = f"{github_api.url}/repos/{OWNER}/{REPO}/pulls/7"
    auth = {"Authorization": f"token {token}"}
    assert httpx.get(url, headers=auth).status_code == 502
    assert httpx.get(url, headers=auth).status_code == 200
    limited = httpx.get(url + "/files", headers=auth)
    assert limited.status_code == 403 and limited.headers["retry-after"] == "1"
    assert "secondary rate limit" in limited.json()["message"]
    assert [r.status for r in github_api.requests[1:]] == [502, 200, 403]


def test_latency_is_added_to_every_call(github_api, github_app):
    seed(github_api)
    token = token_for(github_api, github_app)
    github_api.latency = 0.05
    started = time.perf_counter()
    httpx.get(f"{github_api.url}/repos/{OWNER}/{REPO}/pulls/7", headers={"Authorization": f"token {token}"})
    assert time.perf_counter() - started >= 0.05


def test_response_validation_flags_a_fake_answer_off_the_schema(github_api):
    operation = github_api.spec.by_id["checks/create"]
    good = operation.example("201")
    assert operation.response_errors(201, good) == []
    bad = dict(good, status="finished")
    assert operation.response_errors(201, bad) and operation.response_errors(418, good)


def test_push_makes_a_new_head_and_diff(github_api):
    pull = seed(github_api)
    first = pull.head_sha
    second = github_api.push(OWNER, REPO, 7, {"Dockerfile": BASE["Dockerfile"]})
    assert pull.head_sha == second != first
    assert [d.status for d in github_api.world.pull_files(pull)] == []


def test_patch_matches_git_for_added_removed_and_no_newline():
    [added, modified, removed] = diff_files({"b": "x\ny", "c": "gone\n"}, {"a": "new\n", "b": "x\nz\n"})
    assert (added.status, added.patch) == ("added", "@@ -0,0 +1 @@\n+new")
    assert modified.patch == "@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z"
    assert (removed.status, removed.patch) == ("removed", "@@ -1 +0,0 @@\n-gone")


def test_webhook_payloads_carry_the_seeded_values(github_api):
    pull = seed(github_api)
    opened = webhook_payload("pull_request", "opened", pull)
    assert opened["number"] == 7 and opened["installation"]["id"] == INSTALLATION
    assert opened["repository"]["full_name"] == f"{OWNER}/{REPO}"
    assert opened["pull_request"]["head"]["sha"] == pull.head_sha and opened["pull_request"]["base"]["sha"] == pull.base_sha
    assert opened["pull_request"]["url"].endswith(f"/{OWNER}/{REPO}/pulls/7")
    synchronize = webhook_payload("pull_request", "synchronize", pull, before=pull.base_sha)
    assert synchronize["after"] == pull.head_sha and synchronize["before"] == pull.base_sha
    comment = webhook_payload("issue_comment", "created", pull, comment_body="/codi apply", comment_author="alice")
    assert comment["comment"]["body"] == "/codi apply" and comment["comment"]["user"]["login"] == "alice"
    assert comment["issue"]["number"] == 7 and "pull_request" in comment["issue"] and comment["sender"]["login"] == "alice"
    rerun = webhook_payload("check_run", "rerequested", pull, check_run_id=99)
    assert rerun["check_run"]["head_sha"] == pull.head_sha and rerun["check_run"]["pull_requests"][0]["number"] == 7
    installed = webhook_payload("installation", "created", installation_id=5, account="acme",
                                repositories=["acme/api"])
    assert installed["installation"]["id"] == 5 and installed["installation"]["account"]["login"] == "acme"
    assert [r["full_name"] for r in installed["repositories"]] == ["acme/api"]
    added = webhook_payload("installation_repositories", "added", installation_id=5, repositories=["acme/web"])
    assert [r["full_name"] for r in added["repositories_added"]] == ["acme/web"]
    with pytest.raises(ValueError, match="no webhook example"):
        webhook_payload("pull_request", "edited", pull)
    with pytest.raises(TypeError, match="unknown overrides"):
        webhook_payload("pull_request", "opened", pull, number=8)


def test_sign_matches_githubs_documented_example():
    # From GitHub's docs "Validating webhook deliveries": secret "It's a Secret to Everybody".
    assert sign(b"Hello, World!", "It's a Secret to Everybody") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")


def test_validation_overhead_per_request(github_api, github_app):
    """Not a speed gate: prints the measured cost of validating requests and responses."""
    pull = seed(github_api)
    gh = client(github_api, github_app)
    gh.rest.pulls.get(OWNER, REPO, 7)  # token and first-use validators built
    github_api.validation_seconds = 0.0
    calls = 30
    for _ in range(calls):
        gh.rest.pulls.get(OWNER, REPO, 7)
        gh.rest.checks.create(OWNER, REPO, name="codi", head_sha=pull.head_sha, status="in_progress")
    per_request_ms = github_api.validation_seconds / (2 * calls) * 1000
    print(f"validation overhead: {per_request_ms:.2f} ms per request")
    assert github_api.violations == [] and per_request_ms > 0
