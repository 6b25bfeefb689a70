"""DL3049: a label of the schema is missing from a stage."""

from __future__ import annotations

from collections.abc import Iterator

from codi.pipeline.findings import Finding, Severity
from codi.pipeline.semantic import Stage
from codi.rules.base import LintContext, Rule
from codi.rules.labels import label_pairs
from codi.knowledge.stages import unsatisfied_stages


class MissingSchemaLabel(Rule):
    """## What it does
    For each label of the configured `label-schema`, reports the stages that
    do not set it: not themselves, not through the stage they are built on,
    and not through a later stage built on them. Stages only used as
    `COPY --from` sources are exempt. Nothing is reported without a schema.

    hadolint only lets a label in a child stage excuse its direct parent, and
    only when the child has no `AS` name; codi follows the whole stage graph,
    and also accepts `COPY --from=<index>`.

    ## Why is this bad?
    The schema lists what every image must carry (source, revision,
    maintainer); an image without it cannot be traced or owned.

    ## Example
    ```dockerfile
    # label-schema: {maintainer: email}
    FROM debian:12
    RUN make
    ```

    ## Use instead
    ```dockerfile
    FROM debian:12
    LABEL maintainer="ops@example.com"
    RUN make
    ```

    ## Fix safety
    No fix: the value is not known.

    ## References
    - hadolint DL3049
    """

    code = "DL3049"
    severity = Severity.INFO
    message = "Label `<label>` is missing."

    def check(self, ctx: LintContext) -> Iterator[Finding]:
        stages = ctx.model.stages
        sources = {source.lower() for other in stages for source in other.copies_from()}
        copied = {id(stage) for stage in stages if _is_copy_source(stage, sources)}
        for label in ctx.config.label_schema:
            declaring = {id(stage) for stage in stages if _sets_label(stage, label)}
            for stage in unsatisfied_stages(stages, lambda s: id(s) in declaring):
                if id(stage) not in copied:
                    yield self.finding(stage.from_instr, f"Label `{label}` is missing.")


def _sets_label(stage: Stage, label: str) -> bool:
    return any(
        instr.keyword == "LABEL" and any(name == label for name, _ in label_pairs(instr))
        for instr in stage.instructions
    )


def _is_copy_source(stage: Stage, sources: set[str]) -> bool:
    """Whether a `COPY --from` of any stage names `stage` (`sources`: every `--from`, lower-cased)."""
    return str(stage.index) in sources or (bool(stage.alias) and stage.alias.lower() in sources)
