"""How stages relate: the stage graph, the stages that make up the built image, and what runs in them.

Shared by the rules that judge a stage by its ancestors or descendants
(CD1001, DL3002, DL3025, DL3045, DL3047, DL3049, DL3057, DL4006), by
whether its layers reach an image (DL3009, DL3060), by the image its FROM pulls (DL3006, CD1011), by
what COPY --from names (DL3022, DL3023, DL3026), by repeated stage-level
instructions (DL4003, DL4004), and by the image-level optimisation rules
(CD2001–CD2005, CD2007).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from codi.pipeline.model import Instruction
from codi.pipeline.semantic import SemanticModel, Stage, expand
from codi.pipeline.shell import Command
from codi.knowledge.arguments import argument_values
from codi.rules.base import LintContext
from codi.knowledge.packages import removes_packages
from codi.knowledge.stacks import compile_step

_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "fish", "pwsh", "powershell", "cmd", "cmd.exe"})
_IDLE_COMMANDS = ("tail -f /dev/null", "sleep infinity")
"""Entry points of containers kept alive to exec into (test rigs, dev boxes)."""
_CONTEXT_ROOTS = frozenset({".", "./"})


def stage_and_ancestors(stage: Stage | None) -> Iterator[Stage]:
    """The stage, then the stage it is built FROM, and so on (nothing for None)."""
    current = stage
    while current is not None:
        yield current
        current = current.parent


def root_stage(stage: Stage) -> Stage:
    """The first stage of the chain `stage` is built on: the one whose FROM names an image."""
    return list(stage_and_ancestors(stage))[-1]


def final_or_base_ids(stages: list[Stage]) -> set[int]:
    """ids of the last stage and of every stage another stage is built FROM: stages whose layers
    end up in a built image."""
    ids = {id(stage.parent) for stage in stages if stage.parent is not None}
    if stages:
        ids.add(id(stages[-1]))
    return ids


def unsatisfied_stages(stages: list[Stage], declares: Callable[[Stage], bool]) -> Iterator[Stage]:
    """Stages where a stage-level requirement is met neither by the stage or its ancestors
    (inherited) nor by a descendant (then the stage is only a base for it)."""
    met_in_descendant: set[int] = set()
    for stage in stages:
        if declares(stage):
            met_in_descendant.update(id(ancestor) for ancestor in stage_and_ancestors(stage))
    for stage in stages:
        inherited = any(declares(ancestor) for ancestor in stage_and_ancestors(stage))
        if not inherited and id(stage) not in met_in_descendant:
            yield stage


def repeated_in_stage(ctx: LintContext, keyword: str) -> Iterator[Instruction]:
    """Instructions `keyword` that follow another one in the same stage (ONBUILD ones not counted)."""
    seen = False
    for instr in ctx.instructions():
        if instr.keyword == "FROM":
            seen = False
        elif instr.keyword == keyword:
            if seen:
                yield instr
            seen = True


def pulls_named_image(stage: Stage) -> bool:
    """Whether the stage is built on an image pulled by a name written out: not `scratch`, not an
    earlier stage, no variable in it (DL3006, CD1011 judge only those)."""
    image = stage.image
    return stage.parent is None and not image.is_scratch and "$" not in image.raw and bool(image.repository)


def copy_source(ctx: LintContext, instr: Instruction) -> str | None:
    """The value of `--from`, with the ARG/ENV values visible to the COPY expanded."""
    flag = instr.flag("from")
    if flag is None or flag.value is None:
        return None
    return expand(flag.value, ctx.model.variables_at(instr))


def names_visible_stage(ctx: LintContext, instr: Instruction, name: str) -> bool:
    """Whether `name` is the alias or index of a stage defined up to the one holding `instr`."""
    stage = ctx.stage_of(instr)
    visible = stage.index + 1 if stage is not None else 0
    if name.isdigit():
        return int(name) < visible
    return ctx.model.alias_defined_before(name, visible)


def copies_whole_context(instr: Instruction) -> bool:
    """Whether a COPY/ADD sends the whole build context (`COPY . .`, `ADD ./ /app`).

    `COPY --from=…` copies from a stage or image, and a heredoc copies inline
    text, so neither reads the context.
    """
    if instr.keyword not in ("COPY", "ADD") or instr.flag("from") is not None or instr.heredocs:
        return False
    return any(source in _CONTEXT_ROOTS for source in argument_values(instr)[:-1])


def image_stages(model: SemanticModel) -> list[Stage]:
    """The stages whose layers make up the built image: the last stage and those it is built FROM, root first."""
    if not model.stages:
        return []
    return list(stage_and_ancestors(model.stages[-1]))[::-1]


def instructions_of(stages: list[Stage], *keywords: str) -> list[Instruction]:
    """The instructions `keywords` of `stages`, in build order (ONBUILD triggers not included)."""
    return [instr for stage in stages for instr in stage.instructions if instr.keyword in keywords]


def runs_application(stages: list[Stage]) -> bool:
    """Whether the image has an entry point that is not a bare shell.

    Images without one (base images, dev containers, CI toolboxes) are meant
    to carry their tools.
    """
    entry = instructions_of(stages, "CMD", "ENTRYPOINT")
    if not entry:
        return False
    argv = argument_values(entry[-1])
    if not argv or (len(argv) == 1 and argv[0].rsplit("/", 1)[-1] in _SHELLS):
        return False
    text = " ".join(argv)
    return not any(idle in text for idle in _IDLE_COMMANDS)


def entry_point_text(stages: list[Stage]) -> str:
    """The last CMD and ENTRYPOINT of the image, as text."""
    entry = instructions_of(stages, "CMD", "ENTRYPOINT")
    texts = [" ".join(argument_values(instr)) for instr in entry]
    return " ".join(texts[-2:]) + " "


def single_stage_compiles(ctx: LintContext) -> list[tuple[Instruction, Command]]:
    """In a single-stage build, the RUN commands that compile, outside RUNs that purge their build packages."""
    if len(ctx.model.stages) != 1:
        return []
    found = []
    for instr in instructions_of(ctx.model.stages, "RUN"):
        commands = ctx.shell(instr).commands
        if any(removes_packages(cmd) for cmd in commands):
            continue
        found.extend((instr, cmd) for cmd in commands if compile_step(cmd) is not None)
    return found
