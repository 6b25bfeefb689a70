"""Which stack a Dockerfile builds, how sure codi is, and why; and its stage topology.

The optimiser picks templates and strategies by stack, so the verdict must say
what the image *runs*, not what it happens to install: evidence from the
stages whose layers make up the image (the runtime stage and the stages it is
built FROM) counts in full, evidence from builder stages (copied from with
`COPY --from`) counts half, and evidence from stages nothing uses a quarter.
A Go binary built in `golang` and copied into `scratch` is still Go: the
runtime chain says nothing, so the builder's half-weight evidence decides.

Evidence, each with a weight and the line it came from:

- base images (`python:3.12`, `eclipse-temurin`, `mcr.microsoft.com/dotnet/sdk`,
  `lukemathwalker/cargo-chef` …) and images copied from (`COPY --from=composer`);
- RUN commands: dependency installs and compiles (`codi/knowledge/stacks.py`),
  language package managers (`pip install x`, `gem install`, `docker-php-ext-install`),
  OS packages of language runtimes (`apt-get install nodejs`, `apk add openjdk17`);
- manifests and artefacts COPY brings in (`requirements.txt`, `go.mod`, `*.csproj`, `*.jar`);
- the program the runtime's CMD/ENTRYPOINT starts (`gunicorn`, `node`, `java`, `rails` …);
- ENV names a language runtime reads (`JAVA_HOME`, `PYTHONUNBUFFERED`, `GOPATH` …);
- with a build context, its manifests (`pyproject.toml`, `Cargo.toml`, `*.sln` …).

Native builds (`make`, `cmake`, `gcc`) and server images without an
application count as `generic`. A runtime that is a web server (nginx, httpd,
caddy) serving files copied into its document root is `static`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from codi.pipeline.model import Document, Instruction
from codi.pipeline.optimize.model import Evidence, Stack, StackReport, StageRole
from codi.pipeline.parser import parse
from codi.pipeline.semantic import ImageRef, SemanticModel, Stage, expand, parse_image
from codi.pipeline.shell import Command, parse_script
from codi.knowledge.arguments import argument_values
from codi.knowledge.images import docker_hub_name
from codi.knowledge.packages import INSTALL_VERB, operands_after
from codi.knowledge.stacks import compile_step, dependency_step, program
from codi.knowledge.stages import image_stages

Role = Literal["builder", "runtime", "other"]
ContextFiles = Mapping[str, str] | frozenset[str]
"""Build-context files by relative `/`-separated path (contents, or just the names)."""

_RUNTIME_WEIGHT = 1.0
_BUILDER_WEIGHT = 0.5
_OTHER_WEIGHT = 0.25
_BASE_IMAGE = 3.0
_START_PROGRAM = 3.0
_DEPENDENCY_STEP = 2.0
_MANIFEST_COPY = 2.0
_LANGUAGE_TOOL = 1.0
_OS_RUNTIME_PACKAGE = 1.0
_NATIVE_BUILD = 1.5
_ENV_NAME = 0.5
_CONTEXT_ROOT_MANIFEST = 3.0
_CONTEXT_NESTED_MANIFEST = 1.0
_STATIC_SITE = 6.0

_Patterns = tuple[tuple[re.Pattern[str], Stack], ...]


def _compiled(table: tuple[tuple[str, Stack], ...]) -> _Patterns:
    return tuple((re.compile(pattern), stack) for pattern, stack in table)


_IMAGE_PATTERNS: _Patterns = _compiled(
    (
        (r"(^|/)(python|pypy)[^/]*$|(^|/)uv$|jupyter|conda|mamba|(^|/)s2i-python", "python"),
        (r"(^|/)(node|nodejs|bun|deno)[^/]*$", "node"),
        (r"(^|/)(golang|go|tinygo)$", "go"),
        (r"jdk|jre|java|temurin|corretto|(^|/)(maven|gradle|tomcat|jetty|sapmachine|zulu)[^/]*$|quarkus", "java"),
        (r"(^|/)rust[^/]*$|cargo", "rust"),
        (r"(^|/)j?ruby[^/]*$|rails", "ruby"),
        (r"(^|/)php[^/]*$|(^|/)(composer|wordpress|drupal|nextcloud|frankenphp|joomla)$|laravel", "php"),
        (r"(^|/)dotnet(/|$)|(^|/)aspnet", "dotnet"),
        (r"(^|/)(gcc|buildpack-deps)$", "generic"),
    )
)
_IMAGE_TAG_PATTERNS: _Patterns = _compiled(
    (
        (r"^python\d|[-_]python\d", "python"),
        (r"(^|-)(jdk|jre)\d*(-|$)", "java"),
        (r"(^|-)rust-\d", "rust"),
        (r"(^|-)(node|nodejs)\d", "node"),
    )
)
_WEB_SERVERS = frozenset({"nginx", "httpd", "caddy", "apache2", "lighttpd"})
_DOCUMENT_ROOTS = ("/usr/share/nginx/", "/usr/local/apache2/htdocs", "/usr/share/caddy", "/srv", "/var/www")

_START_PROGRAMS: dict[str, Stack] = {
    **dict.fromkeys(
        (
            "python", "python3", "python2", "pypy3", "gunicorn", "uvicorn", "uwsgi", "celery", "flask", "fastapi",
            "django-admin", "hypercorn", "daphne", "streamlit", "locust", "pytest", "jupyter", "jupyterhub",
            "start-notebook.py", "start-notebook.sh", "poetry", "pipenv", "uv", "waitress-serve",
        ),
        "python",
    ),
    **dict.fromkeys(
        ("node", "nodejs", "npm", "npx", "yarn", "pnpm", "bun", "next", "ng", "pm2", "pm2-runtime", "nodemon",
         "ts-node", "serve", "deno"),
        "node",
    ),
    **dict.fromkeys(("java", "jshell", "catalina.sh", "mvn", "mvnw", "gradle", "gradlew", "jbang"), "java"),
    **dict.fromkeys(
        ("ruby", "irb", "rails", "bundle", "rake", "puma", "unicorn", "sidekiq", "jekyll", "rackup"), "ruby"
    ),
    **dict.fromkeys(
        ("php", "php-fpm", "apache2-foreground", "frankenphp", "artisan", "wp", "laravel-apache2-foreground"),
        "php",
    ),
    "dotnet": "dotnet",
}  # fmt: skip
_SERVER_PROGRAMS = frozenset(
    {"nginx", "httpd", "caddy", "haproxy", "redis-server", "postgres", "mysqld", "mongod", "traefik", "memcached"}
)
"""Servers that run as the image's application: an image starting one is `generic` unless it serves a site."""
_START_WRAPPERS = frozenset({"tini", "dumb-init", "gosu", "su-exec", "exec", "env", "sudo", "s6-setuidgid"})

_LANGUAGE_TOOLS: dict[str, Stack] = {
    "pip": "python", "pip3": "python", "pipx": "python", "conda": "python", "micromamba": "python",
    "mamba": "python", "python": "python", "python3": "python",
    "npm": "node", "yarn": "node", "pnpm": "node", "bun": "node", "npx": "node", "corepack": "node",
    "gem": "ruby", "bundle": "ruby", "bundler": "ruby",
    "composer": "php", "docker-php-ext-install": "php", "docker-php-ext-enable": "php",
    "docker-php-ext-configure": "php", "pecl": "php", "install-php-extensions": "php",
    "cargo": "rust", "rustup": "rust", "rustup-init": "rust",
    "go": "go",
    "mvn": "java", "mvnw": "java", "gradle": "java", "gradlew": "java", "javac": "java", "jlink": "java",
    "dotnet": "dotnet",
}  # fmt: skip
"""Programs that only a language's toolchain brings: running one at build time is evidence."""

_OS_RUNTIME_PACKAGES: _Patterns = _compiled(
    (
        (r"^python[\d.]*(-pip|-venv|-dev|-devel)?$|^py3-pip$|^python[\d.]*-setuptools$", "python"),
        (r"^nodejs(\d+)?$|^npm$|^yarn$", "node"),
        (r"^(openjdk|java)-?[\d.]*(-jdk|-jre)?(-headless|-devel)?$|^default-j(dk|re)(-headless)?$|^temurin-", "java"),
        (r"^ruby[\d.]*(-dev|-devel|-full)?$|^ruby-bundler$", "ruby"),
        (r"^php[\d.]*(-[a-z]+)?$", "php"),
        (r"^golang(-go|-[\d.]+)?$|^go$", "go"),
        (r"^(cargo|rustc|rust)$", "rust"),
        (r"^(dotnet|aspnetcore)-(sdk|runtime)", "dotnet"),
        (r"^(gcc|g\+\+|clang|llvm|lld)(-[\d.]+)?$|^(build-essential|cmake|build-base|gcc-c\+\+|ninja-build)$",
         "generic"),
        (r"^(nginx|apache2|httpd|caddy|haproxy|redis(-server)?|postgresql(-[\d.]+)?|mariadb-server|mysql-server"
         r"|openssh-server|squid|varnish|coturn)$", "generic"),
    )
)

_MANIFESTS: _Patterns = _compiled(
    (
        (r"^requirements[\w.-]*\.txt$|^(pipfile|pipfile\.lock|pyproject\.toml|poetry\.lock|uv\.lock|setup\.py"
         r"|setup\.cfg|pdm\.lock|environment\.ya?ml)$", "python"),
        (r"^(package\.json|package-lock\.json|yarn\.lock|pnpm-lock\.yaml|npm-shrinkwrap\.json|bun\.lockb?"
         r"|\.npmrc|\.yarnrc(\.yml)?|tsconfig\.json)$", "node"),
        (r"^(go\.mod|go\.sum)$", "go"),
        (r"^(pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|gradlew|mvnw)$|\.(jar|war|ear)$", "java"),
        (r"^(cargo\.toml|cargo\.lock)$", "rust"),
        (r"^(gemfile|gemfile\.lock|\.ruby-version|config\.ru)$|\.gemspec$", "ruby"),
        (r"^(composer\.json|composer\.lock|artisan)$", "php"),
        (r"\.(csproj|fsproj|vbproj|sln)$|^(nuget\.config|global\.json|directory\.build\.props)$|\.dll$", "dotnet"),
        (r"^(cmakelists\.txt|makefile|configure\.ac|meson\.build|conanfile\.(txt|py))$", "generic"),
        (r"^\.?venv$|^site-packages$", "python"),
        (r"^node_modules$", "node"),
    )
)  # fmt: skip

_ENV_NAMES: _Patterns = _compiled(
    (
        (r"^(PYTHON\w*|PIP_\w+|VIRTUAL_ENV|UV_\w+|POETRY_\w+)$", "python"),
        (r"^(NODE_\w+|NPM_CONFIG_\w+|YARN_\w+|PNPM_\w+)$", "node"),
        (r"^(GOLANG_VERSION|GOPATH|GOROOT|GO111MODULE|CGO_ENABLED|GOOS|GOARCH|GOFLAGS|GOPROXY)$", "go"),
        (r"^(JAVA_\w+|JDK_\w+|JRE_\w+|MAVEN_\w+|GRADLE_\w+|CATALINA_\w+|JVM_\w+)$", "java"),
        (r"^(CARGO_\w+|RUSTUP_\w+|RUST_VERSION|RUSTFLAGS)$", "rust"),
        (r"^(RUBY\w*|GEM_\w+|BUNDLE_\w+|RAILS_\w+|RACK_ENV)$", "ruby"),
        (r"^(PHP_\w+|COMPOSER_\w+|PHPIZE_DEPS)$", "php"),
        (r"^(DOTNET_\w+|ASPNETCORE_\w+|NUGET_\w+)$", "dotnet"),
    )
)


@dataclass(frozen=True, slots=True)
class _Weighted:
    """Evidence before it is scaled by the role of the stage it came from."""

    stack: Stack
    weight: float
    what: str
    line: int | None


def detect_stack(document_or_text: Document | str, context_files: ContextFiles | None = None) -> StackReport:
    """Classify a Dockerfile's stack from its instructions and, when given, its build context's files."""
    document = parse(document_or_text) if isinstance(document_or_text, str) else document_or_text
    model = SemanticModel(document)
    roles = stage_roles(model)
    evidence: list[Evidence] = []
    runtime_chain = {stage.index for stage in image_stages(model)}
    for stage in model.stages:
        scale = _stage_scale(stage, runtime_chain, roles)
        for item in _stage_evidence(model, stage, stage.index in runtime_chain):
            evidence.append(Evidence(item.stack, round(item.weight * scale, 3), item.what, item.line))
    if model.stages:
        evidence.extend(_start_evidence(model))
        static = _static_site_evidence(model)
        if static is not None:
            evidence.append(static)
    evidence.extend(_context_evidence(context_files or frozenset()))
    evidence = _deduplicated(evidence)
    stack, confidence = _verdict(evidence)
    return StackReport(
        stack=stack,
        confidence=confidence,
        evidence=tuple(sorted(evidence, key=lambda e: (-e.weight, e.line or 0, e.stack, e.what))),
        multistage=len(model.stages) > 1,
        runtime_stage=max(len(model.stages) - 1, 0),
        stages=tuple(
            StageRole(stage.index, stage.name, roles[stage.index], stage.image.raw) for stage in model.stages
        ),
        app_port=_app_port(model),
    )


def stage_roles(model: SemanticModel) -> dict[int, Role]:
    """Each stage's role: the last is the runtime; stages copied from or built FROM later are builders."""
    used: set[int] = set()
    for stage in model.stages:
        if stage.parent is not None:
            used.add(stage.parent.index)
        for name in stage.copies_from():
            source = model.named_stage(name, stage)
            if source is not None:
                used.add(source.index)
    last = len(model.stages) - 1
    return {
        stage.index: "runtime" if stage.index == last else "builder" if stage.index in used else "other"
        for stage in model.stages
    }


def _stage_scale(stage: Stage, runtime_chain: set[int], roles: dict[int, Role]) -> float:
    if stage.index in runtime_chain:
        return _RUNTIME_WEIGHT
    return _BUILDER_WEIGHT if roles[stage.index] == "builder" else _OTHER_WEIGHT


def _stage_evidence(model: SemanticModel, stage: Stage, in_runtime_chain: bool) -> Iterable[_Weighted]:
    if stage.parent is None:
        stack = image_stack(stage.image)
        if stack is not None:
            yield _Weighted(stack, _BASE_IMAGE, f"base image {stage.image.raw}", stage.from_instr.line)
    for instr in stage.instructions:
        if instr.keyword == "RUN":
            yield from _run_evidence(instr)
        elif instr.keyword in ("COPY", "ADD"):
            yield from _copy_evidence(model, stage, instr)
        elif instr.keyword == "ENV":
            yield from _env_evidence(instr)


def image_stack(image: ImageRef) -> Stack | None:
    """The stack an image name (or its tag) says it carries, e.g. `eclipse-temurin:21` → java."""
    name = (docker_hub_name(image) or "").lower()
    if not name or "$" in name:
        return None
    for pattern, stack in _IMAGE_PATTERNS:
        if pattern.search(name):
            return stack
    tag = (image.tag or "").lower()
    for pattern, stack in _IMAGE_TAG_PATTERNS:
        if pattern.search(tag):
            return stack
    return None


def _run_evidence(instr: Instruction) -> Iterable[_Weighted]:
    """What one RUN's commands say; a RUN that builds (`./configure && make && make install`)
    is one observation per stack, not one per step."""
    built: set[str] = set()
    for cmd in run_commands(instr):
        tool = dependency_step(cmd)
        compiled = compile_step(cmd)
        summary = " ".join([cmd.name, *cmd.values[:2]])
        if tool is not None:
            tool_stack: Stack = tool.stack  # type: ignore[assignment]
            yield _Weighted(tool_stack, _DEPENDENCY_STEP, f"dependency install `{summary}`", instr.line)
        if compiled is not None and compiled not in built and (tool is None or tool.stack != compiled):
            built.add(compiled)
            stack: Stack = "generic" if compiled == "c" else compiled  # type: ignore[assignment]
            weight = _NATIVE_BUILD if stack == "generic" else _DEPENDENCY_STEP
            yield _Weighted(stack, weight, f"build step `{summary}`", instr.line)
        if tool is None and compiled is None and program(cmd) in _LANGUAGE_TOOLS:
            yield _Weighted(_LANGUAGE_TOOLS[program(cmd)], _LANGUAGE_TOOL, f"runs `{summary}`", instr.line)
        yield from _os_package_evidence(cmd, instr)


def run_commands(instr: Instruction) -> tuple[Command, ...]:
    """The commands of a RUN: its exec form, or its shell text and heredoc scripts."""
    if instr.exec_form is not None:
        return parse_script(" ".join(instr.exec_form), exact=False).commands
    texts = [instr.args] + [heredoc.content for heredoc in instr.heredocs]
    return tuple(cmd for text in texts if text.strip() for cmd in parse_script(text, exact=False).commands)


def _os_package_evidence(cmd: Command, instr: Instruction) -> Iterable[_Weighted]:
    verb = INSTALL_VERB.get(program(cmd))
    if verb is None or not cmd.has_args(verb):
        return
    for package in operands_after(cmd, verb):
        bare = re.split(r"[=<>~]", package, maxsplit=1)[0].lower()
        for pattern, stack in _OS_RUNTIME_PACKAGES:
            if pattern.match(bare):
                yield _Weighted(stack, _OS_RUNTIME_PACKAGE, f"installs OS package {bare}", instr.line)
                break


def _copy_evidence(model: SemanticModel, stage: Stage, instr: Instruction) -> Iterable[_Weighted]:
    source_stage = instr.flag("from")
    if source_stage is not None and source_stage.value is not None:
        name = expand(source_stage.value, model.variables_at(instr))
        if model.named_stage(name, stage) is None:
            stack = image_stack(parse_image(name))
            if stack is not None:
                yield _Weighted(stack, _LANGUAGE_TOOL, f"copies from image {name}", instr.line)
            return
    if instr.heredocs:
        return
    for source in argument_values(instr)[:-1]:
        if source.startswith("--"):
            continue
        stack = manifest_stack(source)
        if stack is not None:
            yield _Weighted(stack, _MANIFEST_COPY, f"copies {source}", instr.line)


def manifest_stack(path: str) -> Stack | None:
    """The stack a manifest or artefact file name belongs to (`go.mod` → go, `app.csproj` → dotnet)."""
    name = path.rstrip("/").rsplit("/", 1)[-1].lower()
    for pattern, stack in _MANIFESTS:
        if pattern.search(name):
            return stack
    return None


def _env_evidence(instr: Instruction) -> Iterable[_Weighted]:
    for word in instr.words:
        key = word.value.split("=", 1)[0]
        for pattern, stack in _ENV_NAMES:
            if pattern.match(key):
                yield _Weighted(stack, _ENV_NAME, f"sets {key}", instr.line)
                break
        if "=" not in word.raw:
            break  # legacy `ENV key value`: only the first word is a name


def _start_evidence(model: SemanticModel) -> Iterable[Evidence]:
    """The program the image starts, when it names a stack: the ENTRYPOINT's, or the CMD's.

    An exec-form ENTRYPOINT gets the CMD as its arguments, so the CMD names
    the program only when there is no ENTRYPOINT or the ENTRYPOINT is a
    script that ends by running its arguments (`docker-entrypoint.sh` +
    `CMD ["node"]` starts node).
    """
    for instr in _last_start_instructions(image_stages(model)):
        name = _started_program(instr)
        stack = _program_stack(name) if name else None
        if stack is not None:
            yield Evidence(stack, _START_PROGRAM, f"starts {name}", instr.line)
            return
        if instr.keyword == "ENTRYPOINT" and name is not None and not _is_entrypoint_script(name):
            return


def _is_entrypoint_script(name: str) -> bool:
    return name.endswith(".sh") or "entrypoint" in name or name in ("init", "start", "run")


def effective_start(chain: list[Stage]) -> tuple[Instruction | None, Instruction | None]:
    """The ENTRYPOINT and CMD in force at the end of a stage chain, as Docker applies them:
    an ENTRYPOINT resets the CMD set before it, and `ENTRYPOINT []` clears it."""
    entrypoint: Instruction | None = None
    cmd: Instruction | None = None
    for stage in chain:
        for instr in stage.instructions:
            if instr.keyword == "ENTRYPOINT":
                entrypoint, cmd = instr, None
            elif instr.keyword == "CMD":
                cmd = instr
    if entrypoint is not None and entrypoint.exec_form == ():
        entrypoint = None
    return entrypoint, cmd


def _last_start_instructions(stages: list[Stage]) -> list[Instruction]:
    """The effective ENTRYPOINT then CMD of the image."""
    return [instr for instr in effective_start(stages) if instr is not None]


def _started_program(instr: Instruction) -> str | None:
    """The program a CMD/ENTRYPOINT runs, past wrappers (`tini --`, `gosu user`, `env X=1`);
    for the shell form, the last command of the script: the one left in the foreground."""
    if instr.exec_form is not None:
        words = [word for word in instr.exec_form if word]
    else:
        commands = parse_script(instr.args, exact=False).commands
        last = max(commands, key=lambda cmd: cmd.start) if commands else None
        words = [last.name, *last.values] if last is not None else []
    while words and (program_name(words[0]) in _START_WRAPPERS or words[0].startswith("-") or "=" in words[0]):
        wrapper = program_name(words.pop(0))
        if wrapper in ("gosu", "su-exec", "s6-setuidgid") and words:
            words.pop(0)  # the user
    return program_name(words[0]) if words else None


def _program_stack(name: str) -> Stack | None:
    stack = _START_PROGRAMS.get(name)
    if stack is not None:
        return stack
    if re.match(r"python[\d.]*$", name):
        return "python"
    if re.match(r"php[\d.]*(-fpm[\d.]*)?$", name):
        return "php"
    if name.endswith(".jar"):
        return "java"
    if name.endswith(".dll"):
        return "dotnet"
    if name in _SERVER_PROGRAMS:
        return "generic"
    return None


def program_name(word: str) -> str:
    """A program's name without its directory (`/usr/local/bin/gunicorn` → `gunicorn`)."""
    return word.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].lower()


def _static_site_evidence(model: SemanticModel) -> Evidence | None:
    """A web server in the runtime serving files copied into its document root."""
    chain = image_stages(model)
    server = _web_server(model, chain)
    if server is None:
        return None
    for stage in chain:
        for instr in stage.instructions:
            if instr.keyword not in ("COPY", "ADD") or instr.heredocs:
                continue
            values = argument_values(instr)
            destination = expand(values[-1], model.variables_at(instr)) if values else ""
            if destination.startswith(_DOCUMENT_ROOTS) and not any(
                manifest_stack(source) for source in values[:-1]
            ):
                return Evidence("static", _STATIC_SITE, f"{server} serves files copied to {destination}", instr.line)
    return None


def _web_server(model: SemanticModel, chain: list[Stage]) -> str | None:
    for image in (stage.image for stage in chain if stage.parent is None):
        name = (docker_hub_name(image) or "").rsplit("/", 1)[-1].lower()
        if name in _WEB_SERVERS:
            return name
    for instr in _last_start_instructions(chain):
        name = _started_program(instr)
        if name in _WEB_SERVERS:
            return name
    return None


def _context_evidence(context_files: ContextFiles) -> Iterable[Evidence]:
    for path in sorted(context_files):
        stack = manifest_stack(path)
        if stack is None:
            continue
        nested = "/" in path.strip("/")
        weight = _CONTEXT_NESTED_MANIFEST if nested else _CONTEXT_ROOT_MANIFEST
        yield Evidence(stack, weight, f"build context has {path}", None)


def _deduplicated(evidence: list[Evidence]) -> list[Evidence]:
    """One item per (stack, observation): a tool run in ten RUNs is one piece of evidence, at its heaviest."""
    best: dict[tuple[str, str], Evidence] = {}
    for item in evidence:
        key = (item.stack, item.what)
        current = best.get(key)
        if current is None or item.weight > current.weight:
            best[key] = item
    return list(best.values())


def _verdict(evidence: list[Evidence]) -> tuple[Stack, float]:
    totals: dict[str, float] = {}
    for item in evidence:
        totals[item.stack] = totals.get(item.stack, 0.0) + item.weight
    total = sum(totals.values())
    if not total:
        return "generic", 0.0
    stack = max(sorted(totals), key=lambda name: totals[name])
    return stack, round(totals[stack] / total, 3)  # type: ignore[return-value]


def _app_port(model: SemanticModel) -> int | None:
    for stage in image_stages(model):
        for instr in stage.instructions:
            if instr.keyword != "EXPOSE":
                continue
            for word in instr.words:
                port = expand(word.value, model.variables_at(instr)).split("/", 1)[0]
                if port.isdigit():
                    return int(port)
    return None

