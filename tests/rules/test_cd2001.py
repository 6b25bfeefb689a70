from tests.rules.helpers import catches, catches_not, findings, lines


def test_copy_all_before_npm_ci():
    found = catches("CD2001", "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n", count=1)
    assert found[0].line == 3
    assert "`npm ci` (line 4)" in found[0].message
    assert "`package.json` and `package-lock.json`" in found[0].message


def test_message_names_the_requirements_file():
    found = catches("CD2001", "FROM python:3.12-slim\nADD . /app\nRUN pip install -r /app/requirements/prod.txt\n")
    assert "`/app/requirements/prod.txt`" in found[0].message


def test_each_ecosystem():
    for step in (
        "yarn",
        "yarn install --frozen-lockfile --network-timeout 600000",
        "pnpm install",
        "go mod download",
        "mvn -B package",
        "./gradlew bootJar",
        "bundle install",
        "composer install --no-dev",
        "cargo build --release",
        "dotnet restore",
        "poetry install",
        "uv sync --locked",
    ):
        catches("CD2001", f"FROM x:1\nCOPY . /src\nRUN {step}\n")


def test_manifest_first_is_fine():
    catches_not(
        "CD2001",
        """\
        FROM node:20-slim
        COPY package.json package-lock.json ./
        RUN npm ci
        COPY . .
        RUN npm run build
        """,
    )
    catches_not(
        "CD2001",
        """\
        FROM mcr.microsoft.com/dotnet/sdk:8.0
        COPY *.csproj .
        RUN dotnet restore
        COPY . .
        RUN dotnet publish --no-restore -o /app
        """,
    )


def test_cargo_chef_cook_counts_as_dependency_step():
    catches_not(
        "CD2001",
        """\
        FROM chef AS builder
        COPY --from=planner /recipe.json recipe.json
        RUN cargo chef cook --release --recipe-path recipe.json
        COPY . .
        RUN cargo build --release
        """,
    )


def test_not_dependency_steps():
    for step in ("pip install .", "pip install flask", "npm install -g pnpm", "npm install left-pad", "go build ./...", "npm run build"):
        catches_not("CD2001", f"FROM x:1\nCOPY . .\nRUN {step}\n")


def test_build_tool_with_cache_mount_is_not_reported():
    catches_not("CD2001", "FROM maven:3\nCOPY . .\nRUN --mount=type=cache,target=/root/.m2 mvn package\n")
    catches("CD2001", "FROM node:20\nCOPY . .\nRUN --mount=type=cache,target=/root/.npm npm ci\n")


def test_copy_from_stage_and_heredoc_are_not_the_context():
    catches_not("CD2001", "FROM x:1\nCOPY --from=build . .\nRUN npm ci\n")
    catches_not("CD2001", "FROM x:1\nCOPY <<EOF ./a\nhi\nEOF\nRUN npm ci\n")


def test_one_finding_per_stage_on_the_first_copy():
    text = "FROM x:1 AS a\nCOPY . .\nCOPY . /b\nRUN npm ci && go mod download\nFROM y:1\nCOPY . .\nRUN bundle install\n"
    assert lines("CD2001", text) == [2, 6]
    assert "`go.mod`" in findings("CD2001", text)[0].message
