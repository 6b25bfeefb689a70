"""`COPY --from` from a hostile Dockerfile stays within bounds: a `--from` word whose variables add up past
`MAX_TRACKED_VALUE_CHARS` and its own length is kept as written, and following copies back through stages keeps at most
`MAX_TRACED_MAPPINGS`. Memory is measured with tracemalloc (no timing: speed is bench/pathological.py's)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

from codi.knowledge.stages import image_stages
from codi.pipeline.lint import lint_text
from codi.pipeline.limits import InputLimits, size_cap_broken
from codi.pipeline.optimize.optimizer import optimize
from codi.pipeline.optimize.preservation import MAX_TRACED_MAPPINGS, _FileTracer
from codi.pipeline.parser import parse
from codi.pipeline.semantic import MAX_TRACKED_VALUE_CHARS, SemanticModel, expand

MIB = 1024**2
VALUE = "a" * 8000
"""Just under MAX_TRACKED_VALUE_CHARS: an ARG value the model tracks in full."""


def _peak(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_word_whose_variables_pass_the_bound_stays_as_written() -> None:
    assert len(VALUE) < MAX_TRACKED_VALUE_CHARS
    assert expand("$A-x", {"A": VALUE}) == f"{VALUE}-x"  # within the bound: expanded
    assert expand("$B" * 30_000, {"B": "bb"}) == "bb" * 30_000  # values as long as the word: expanded too
    word = "$A" * 30_000  # 60 KB on one line would expand to 240 MB
    assert expand(word, {"A": VALUE}) == word
    assert expand("${A}${A}", {"A": VALUE}, keep_unknown=False) == "${A}${A}"


def test_copy_from_a_huge_expansion_costs_memory_linear_in_the_input() -> None:
    text = f"FROM debian:bookworm AS base\nARG A={VALUE}\nCOPY --from={'$A' * 4000} / /x\nCMD [\"/x/app\"]\n"
    assert size_cap_broken(text, InputLimits()) is None  # within the input caps: it is analysed
    unbounded = 4000 * len(VALUE)  # 32 MB for the --from word alone, each time a rule or the optimiser reads it
    results: list[object] = []
    peak = _peak(lambda: results.append(lint_text(text)))
    assert peak < unbounded / 2, f"lint peaked at {peak / MIB:.0f} MiB"
    assert results
    peak = _peak(lambda: optimize("Dockerfile", text, {}))
    assert peak < unbounded / 2, f"optimise peaked at {peak / MIB:.0f} MiB"


def _doubling_chain(stages: int) -> str:
    """Each stage copies the one before it twice: what tracing makes doubles per stage."""
    lines = ["FROM debian:bookworm AS s0", "COPY a /a", "COPY b /b"]
    for index in range(1, stages):
        lines += [f"FROM debian:bookworm AS s{index}", f"COPY --from=s{index - 1} / /x", f"COPY --from=s{index - 1} / /y"]
    return "\n".join([*lines, 'CMD ["/x/a"]']) + "\n"


def test_tracing_copies_through_stages_keeps_at_most_the_bound() -> None:
    model = SemanticModel(parse(_doubling_chain(40)))  # unbounded: 2⁴⁰ mappings
    files = _FileTracer(model).image_files(image_stages(model))
    assert 0 < len(files) <= MAX_TRACED_MAPPINGS
    # A short chain is traced in full, back to the build context: /x/a came from context file a.
    short = SemanticModel(parse(_doubling_chain(3)))
    traced = _FileTracer(short).image_files(image_stages(short))
    assert len(traced) == 8 and ("context", "a", "/x/x/a") in {(m.origin, m.source, m.destination) for m in traced}


def test_optimising_a_doubling_chain_stays_within_memory() -> None:
    text = _doubling_chain(40)
    peak = _peak(lambda: optimize("Dockerfile", text, {"a": "1\n", "b": "2\n"}))
    assert peak < 64 * MIB, f"optimise peaked at {peak / MIB:.0f} MiB"
