"""A run's report as Markdown (`codi report RUN --format md`), escaped as codi's pull request comments are.

Every string the run holds came from a pull request or a model (paths, Dockerfile text, messages, branch
names, model output) and reaches the text only through codi.comments.markdown's helpers: on GitHub, or any
CommonMark viewer, it shows as the words it is, never as HTML, a link, a mention or a broken table.
"""

from __future__ import annotations

from codi.comments.candidates import rationale_markdown
from codi.comments.markdown import SEVERITY_LABELS, code_span, fence, inert_text, message_text, rule_link, table_cell
from codi.pipeline.findings import Severity
from codi.reports.run.facts import (
    RunFacts,
    argv_text,
    pipeline_candidate,
    reduction_text,
    run_facts,
    size_text,
    user_text,
)
from codi.storage.runs import Run, RunMeasurement

SECTIONS = (
    "Overview",
    "Key Metrics",
    "Candidate Summaries",
    "CMD Rewrites",
    "Security Notes",
    "Environment Snapshot",
    "LLM Assist Summaries",
    "Diffs",
)
MODEL_OUTPUT_LABEL = "Model output"


def render_markdown(run: Run) -> str:
    facts = run_facts(run)
    parts = [
        f"# codi report: run {run.id if run.id is not None else '(not stored)'}\n",
        _overview(facts),
        _key_metrics(facts),
        _candidates(facts),
        _start_rewrites(facts),
        _security(facts),
        _environment(facts),
        _model(facts),
        _diffs(facts),
    ]
    return "\n".join(parts)


def _section(title: str, body: str) -> str:
    return f"## {title}\n\n{body.rstrip()}\n"


def _row(*cells: str) -> str:
    return "| " + " | ".join(table_cell(cell) for cell in cells) + " |\n"


def target_markdown(facts: RunFacts) -> str:
    run = facts.run
    if run.local_path is not None:
        return f"local file {code_span(run.local_path)}"
    parts = [f"repository {code_span(run.repository or 'unknown')}"]
    if run.pull_number is not None:
        parts.append(f"pull request {code_span(f'#{run.pull_number}')}")
    if run.head_sha:
        parts.append(f"commit {code_span(run.head_sha)}")
    return ", ".join(parts)


def _overview(facts: RunFacts) -> str:
    run = facts.run
    lines = [
        f"- **Run**: {run.id} ({inert_text(run.kind)})\n",
        f"- **Target**: {target_markdown(facts)}\n",
        f"- **Outcome**: {code_span(run.outcome)}\n",
        f"- **Started**: {run.started_at.isoformat()}; **finished**: {run.finished_at.isoformat()} "
        f"({facts.duration_s:.1f} s)\n",
        f"- **Dockerfiles**: {len(facts.files)}\n",
    ]
    if run.detail:
        lines.append(f"- **Detail**: {message_text(run.detail)}\n")
    return _section("Overview", "".join(lines))


def _key_metrics(facts: RunFacts) -> str:
    measured = facts.measured_candidates
    passed = sum(1 for c in measured if c.measurement is not None and c.measurement.status == "pass")
    text = "| Metric | Value |\n|---|---:|\n"
    text += _row("Findings", str(facts.findings))
    text += _row("Security findings", str(facts.security_findings))
    text += _row("Candidates", str(facts.candidates))
    text += _row("Candidates built (passed)", f"{len(measured)} ({passed})")
    text += "\n| File | Stack | Findings | Original size | Best candidate | Its size | Reduction |\n"
    text += "|---|---|---:|---:|---|---:|---:|\n"
    for file in facts.files:
        best = file.best
        text += _row(
            code_span(file.file.path),
            inert_text(file.file.stack or "not analysed"),
            str(len(file.file.findings)),
            size_text(file.original),
            inert_text(best.candidate.strategy) if best else "none",
            size_text(best.size) if best else "–",
            reduction_text(best.reduction, best.reduction_measured) if best else "–",
        )
    if facts.run.durations:
        text += "\n| Stage | Seconds |\n|---|---:|\n"
        text += "".join(_row(inert_text(stage), f"{seconds:.3f}") for stage, seconds in facts.run.durations.items())
    return _section("Key Metrics", text)


def _candidates(facts: RunFacts) -> str:
    text = ""
    for file in facts.files:
        text += f"### {code_span(file.file.path)}\n\n"
        if not file.candidates:
            text += "No candidate.\n\n"
        for candidate in file.candidates:
            place = f"{candidate.place}. " if candidate.place else ""
            text += f"#### {place}{inert_text(candidate.candidate.strategy)}\n\n"
            text += f"- **Size**: {size_text(candidate.size)}, "
            text += f"{reduction_text(candidate.reduction, candidate.reduction_measured)} than the original\n"
            text += f"- **Build**: {_measurement_markdown(candidate.measurement)}\n\n"
            text += rationale_markdown(pipeline_candidate(candidate.candidate)) + "\n"
    return _section("Candidate Summaries", text or "No Dockerfile.\n")


def _measurement_markdown(measurement: RunMeasurement | None) -> str:
    if measurement is None:
        return "not built (the figures are the optimiser's estimates)"
    status = "passed" if measurement.status == "pass" else f"**failed**: {message_text(measurement.reason or '')}"
    vulnerabilities = "not scanned" if measurement.vulnerabilities is None else str(measurement.vulnerabilities)
    reused = ", reused" if measurement.reused else ""
    return (
        f"{status}; smoke test {inert_text(measurement.smoke or 'not run')}; vulnerabilities {vulnerabilities}; "
        f"evidence {code_span(measurement.evidence_key[:12] or 'none')}{reused}"
    )


def _start_rewrites(facts: RunFacts) -> str:
    rewrites = [(file, c) for file in facts.files for c in file.candidates if c.start is not None]
    if not rewrites:
        return _section("CMD Rewrites", "No candidate changes the start command.\n")
    text = "| File | Candidate | Original start | Candidate's start | Why |\n|---|---|---|---|---|\n"
    for file, candidate in rewrites:
        assert candidate.start is not None
        why = "; ".join(message_text(change) for change in candidate.start.changes) or "–"
        text += _row(
            code_span(file.file.path),
            inert_text(candidate.candidate.strategy),
            code_span(argv_text(candidate.start.before)),
            code_span(argv_text(candidate.start.after)),
            why,
        )
    return _section("CMD Rewrites", text)


def _severity(value: str) -> str:
    try:
        return SEVERITY_LABELS[Severity(value)]
    except ValueError:
        return inert_text(value)


def _security(facts: RunFacts) -> str:
    text = ""
    for file in facts.files:
        text += f"### {code_span(file.file.path)}\n\n"
        text += f"- Original runs as: {inert_text(user_text(file.original_user))}\n"
        for candidate in file.candidates:
            if candidate.user != file.original_user:
                strategy, user = inert_text(candidate.candidate.strategy), inert_text(user_text(candidate.user))
                text += f"- {strategy} runs as: {user}\n"
        scanned = [m for m in file.file.measurements if m.vulnerabilities is not None]
        for measurement in scanned:
            text += f"- Vulnerabilities in {inert_text(measurement.strategy)}: {measurement.vulnerabilities}\n"
        if file.security_findings:
            text += "\n| Line | Rule | Severity | Message |\n|---:|---|---|---|\n"
            for finding in file.security_findings:
                text += _row(str(finding.line), rule_link(finding.code), _severity(finding.severity),
                             message_text(finding.message))  # fmt: skip
        else:
            text += "\nNo security finding.\n"
        text += "\n"
    return _section("Security Notes", text or "No Dockerfile.\n")


def _environment(facts: RunFacts) -> str:
    env = facts.run.environment
    text = "| Setting | Value |\n|---|---|\n"
    text += _row("codi", code_span(env.codi_version))
    text += _row("Rules catalog", code_span(env.catalog_version))
    text += _row("Model", code_span(env.model) if env.model else "none")
    text += _row("Model network", inert_text(env.network))
    text += _row("Build network", inert_text(env.build_network or "nothing built"))
    modules = env.module_versions.items()
    text += "".join(_row(f"Module {code_span(name)}", code_span(version)) for name, version in modules)
    return _section("Environment Snapshot", text)


def _model(facts: RunFacts) -> str:
    text = ""
    for file in facts.files:
        ranking = file.file.ranking
        if ranking is None:
            continue
        text += f"### {code_span(file.file.path)}\n\n"
        text += f"- **Order**: {inert_text(' > '.join(ranking.order))} (by {inert_text(ranking.source)})\n"
        text += f"- **codi's scorer alone**: {inert_text(' > '.join(ranking.deterministic))}\n"
        if ranking.model:
            tokens = f"{ranking.prompt_tokens or 0} prompt + {ranking.output_tokens or 0} output tokens"
            latency = "" if ranking.latency_s is None else f", {ranking.latency_s:.2f} s"
            text += f"- **Model**: {code_span(ranking.model)} ({tokens}{latency})\n"
        if ranking.fallback_reason:
            text += (
                f"\n> **{MODEL_OUTPUT_LABEL}, not used** (why codi fell back to its scorer; it may quote the model's "
                f"generated text, not checked by codi): {inert_text(ranking.fallback_reason)}\n"
            )
        text += "\n"
    return _section("LLM Assist Summaries", text or "No candidate was ranked.\n")


def _diffs(facts: RunFacts) -> str:
    text = ""
    for file in facts.files:
        for candidate in file.candidates:
            text += f"### {code_span(file.file.path)}: {inert_text(candidate.candidate.strategy)}\n\n"
            text += fence(candidate.diff, "diff") + "\n\n"
    return _section("Diffs", text or "No candidate.\n")

