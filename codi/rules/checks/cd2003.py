"""CD2003: a compiled application built without a multi-stage build."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.rules.base import LintContext, Rule
from codi.knowledge.stacks import command_summary, compile_step
from codi.knowledge.stages import (
    copies_whole_context,
    entry_point_text,
    image_stages,
    runs_application,
    single_stage_compiles,
)

_STATIC_SERVERS = ("nginx", "httpd", "caddy", "lighttpd", "http-server", "serve ", "http.server")


class SingleStageBuild(Rule):
    """## What it does
    Checks for a single-stage Dockerfile that compiles its application: `go
    build`, `cargo build`, `mvn package`, `gradle build`, `dotnet publish`,
    `gcc`/`make`/`./configure`, or a Node.js build (`npm run build`) whose
    output a static file server (nginx, `serve`, `http-server` …) serves.

    Not reported: a `RUN` that compiles and purges its build packages in the
    same layer (the docker-library pattern: the toolchain never reaches a
    layer), images without an application entry point that do not copy the
    build context either (dev/base/toolbox images meant to carry tools), and `make` targets other than a build
    (`make migrate`). A Node.js build whose output a Node.js server runs is
    left alone: it needs `node` at runtime anyway.

    ## Why is this bad?
    The image ships the compiler, the SDK, the sources and the build caches
    next to the binary it needs: often 10 to 50 times the size of the
    application, slower pulls, and a much larger attack surface.

    ## Example
    ```dockerfile
    FROM golang:1.22
    WORKDIR /src
    COPY . .
    RUN go build -o /app .
    CMD ["/app"]
    ```

    ## Use instead
    ```dockerfile
    FROM golang:1.22 AS build
    WORKDIR /src
    COPY . .
    RUN go build -o /app .

    FROM gcr.io/distroless/base-debian12
    COPY --from=build /app /app
    CMD ["/app"]
    ```

    ## Fix safety
    No fix: the runtime base and the files the application needs at run
    time (assets, configuration, shared libraries) are project knowledge.

    ## References
    - https://docs.docker.com/build/building/multi-stage/
    """

    code = "CD2003"
    severity = Severity.WARNING
    message = "Compiled application built in a single stage: build in a builder stage and copy only the output"

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stages = image_stages(ctx.model)
        if not stages:
            return
        builds_context = any(copies_whole_context(instr) for instr in stages[-1].instructions)
        if not (runs_application(stages) or builds_context):
            return
        serves_static = any(server in entry_point_text(stages) for server in _STATIC_SERVERS)
        for instr, cmd in single_stage_compiles(ctx):
            if compile_step(cmd) == "node" and not serves_static:
                continue
            yield self.finding(
                instr,
                f"`{command_summary(cmd)}` in a single-stage build: the toolchain and sources stay in the image; "
                "build in a builder stage and COPY --from it only the output",
            )
            return
