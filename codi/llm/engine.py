"""The local model: a GGUF file run by llama.cpp, answering one prompt at a time with grammar-bound JSON.

An I/O edge the core never imports. The model is loaded once per process from a file on disk
(nothing is downloaded; the air gap guards the load and every call). Generation is greedy with a
fixed seed, so the same prompt gives the same answer. llama.cpp has no timeout of its own: a stopping
criterion checks the deadline after every token, so a call overruns by at most one token, plus the
prompt's evaluation, which cannot be interrupted. Failures are data (`LlmCall.error`) for the caller
to fall back on and count; only a schema the grammar cannot bound is raised, as a programming error.

llama-cpp-python is the optional `llm` extra: it is imported when a model is loaded, never when this
module is, so `codi serve`, `codi worker`, `analyze` and `optimize` run without it, and `load_model`
turns its absence into the deterministic scorer alone.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from codi.llm.airgap import AirGap
from codi.llm.grammar import LlmUnavailable, SchemaError, llama_cpp_module, schema_to_gbnf, schema_violation

if TYPE_CHECKING:
    from llama_cpp import LlamaGrammar
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

logger = logging.getLogger(__name__)

_shared: LocalModel | None = None
_shared_lock = threading.Lock()


@dataclass(frozen=True)
class LlmCall:
    """One call's answer and its telemetry.

    `error` is None, "timeout", "invalid-json: <why>" or "model-error: <why>"; `parsed` is the answer
    only when `error` is None. A timeout keeps the partial `text`, for the logs.
    """

    model: str
    text: str
    parsed: Any | None
    prompt_tokens: int
    output_tokens: int
    latency_s: float
    error: str | None


class LocalModel:
    """A GGUF model loaded once; calls take turns, because a llama.cpp context serves one generation at a time.

    One thread by default: on a busy machine (builds run beside the worker) llama.cpp's threads spin-wait
    for each other, and two threads on two shared cores were 1.3-5x slower than one for the 135M model.
    """

    def __init__(
        self,
        path: Path,
        *,
        n_ctx: int = 2048,
        n_threads: int = 1,
        seed: int = 0,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        self.path = path
        self.name = path.stem
        self.seed = seed
        self._airgap = AirGap(allowed_hosts)
        self._lock = threading.Lock()
        self._lib: ModuleType = llama_cpp_module()
        with self._airgap.active():
            self._llama = self._lib.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                seed=seed,
                verbose=False,
            )
        self._vocab = self._lib.llama_model_get_vocab(self._llama.model)
        self._chat = self._chat_formatter()

    @classmethod
    def shared(cls, path: Path, **options: Any) -> LocalModel:
        """The process's one model, loaded by the first caller (whose `options` apply); another file is an error."""
        global _shared
        with _shared_lock:
            if _shared is None:
                _shared = cls(path, **options)
            elif _shared.path != path:
                raise ValueError(f"{_shared.path} is already loaded; one model per process, not also {path}")
            return _shared

    def complete_json(
        self, system: str, user: str, schema: dict[str, Any], max_tokens: int, timeout_s: float
    ) -> LlmCall:
        """Answer `user` with a JSON object conforming to `schema`, within `timeout_s` (waiting for a turn included).

        Raises `SchemaError` if the schema leaves output unbounded; every other failure is in the result.
        """
        started = time.monotonic()
        grammar = self._grammar(schema)
        if not self._lock.acquire(timeout=max(timeout_s, 0.0)):
            return LlmCall(self.name, "", None, 0, 0, time.monotonic() - started, "timeout")
        try:
            with self._airgap.active():
                return self._generate(system, user, schema, grammar, max_tokens, _Deadline(started, timeout_s))
        finally:
            self._lock.release()

    def _chat_formatter(self) -> Jinja2ChatFormatter:
        """The chat template in the GGUF file; `create_chat_completion` would apply it too, but takes no stopping criteria."""
        template = self._llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ValueError(f"{self.path}: the GGUF file has no chat template (tokenizer.chat_template)")
        return self._lib.llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=self._token_text(self._llama.token_eos()),
            bos_token=self._token_text(self._llama.token_bos()),
        )

    def _token_text(self, token: int) -> str:
        return self._lib.llama_vocab_get_text(self._vocab, token).decode() if token >= 0 else ""

    def _grammar(self, schema: dict[str, Any]) -> LlamaGrammar:
        """The schema's grammar, parsed by llama.cpp once here: generating with a grammar it cannot parse crashes."""
        gbnf = schema_to_gbnf(schema)
        sampler = self._lib.llama_sampler_init_grammar(self._vocab, gbnf.encode(), b"root")
        if not sampler:
            raise SchemaError("llama.cpp could not parse the grammar made from this schema")
        self._lib.llama_sampler_free(sampler)
        return self._lib.LlamaGrammar.from_string(gbnf, verbose=False)

    def _generate(
        self,
        system: str,
        user: str,
        schema: dict[str, Any],
        grammar: LlamaGrammar,
        max_tokens: int,
        deadline: _Deadline,
    ) -> LlmCall:
        chat = self._chat(messages=[{"role": "system", "content": system}, {"role": "user", "content": user}])
        # Reusing the previous prompt's cache would evaluate the last prompt token alone instead of in the
        # batch; the float results differ slightly, enough to change a greedy answer. Same prompt, same answer.
        self._llama.reset()
        try:
            response = self._llama.create_completion(
                self._llama.tokenize(chat.prompt.encode(), add_bos=not chat.added_special, special=True),
                temperature=0.0,
                seed=self.seed,
                max_tokens=max_tokens,
                stop=chat.stop,
                grammar=grammar,
                stopping_criteria=self._lib.StoppingCriteriaList([deadline]),
            )
        except (ValueError, RuntimeError) as exc:  # context overflow, a failed decode, the air gap
            return LlmCall(self.name, "", None, 0, 0, time.monotonic() - deadline.started, f"model-error: {exc}")
        text = response["choices"][0]["text"]
        parsed, error = (None, "timeout") if deadline.hit else _parse(text, schema)
        usage = response["usage"]
        latency = time.monotonic() - deadline.started
        return LlmCall(self.name, text, parsed, usage["prompt_tokens"], usage["completion_tokens"], latency, error)


def load_model(path: Path, *, shared: bool = False, **options: Any) -> LocalModel | None:
    """The model at `path` (the process's shared one if `shared`), or None when the `llm` extra is not installed.

    None means ranking by the deterministic scorer alone; a warning says so, since the model was asked for.
    """
    try:
        return LocalModel.shared(path, **options) if shared else LocalModel(path, **options)
    except LlmUnavailable as error:
        logger.warning("%s: ranking uses the deterministic scorer alone, without %s", error, path)
        return None


class _Deadline:
    """A stopping criterion that ends generation `timeout_s` after `started`, and remembers that it did."""

    def __init__(self, started: float, timeout_s: float) -> None:
        self.started = started
        self.at = started + timeout_s
        self.hit = False

    def __call__(self, input_ids: Any, logits: Any) -> bool:
        self.hit = self.hit or time.monotonic() >= self.at
        return self.hit


def _parse(text: str, schema: dict[str, Any]) -> tuple[Any | None, str | None]:
    """The grammar should make this a formality; it is checked anyway, since the caller acts on the answer."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"invalid-json: {exc}"
    if problem := schema_violation(value, schema):
        return None, f"invalid-json: {problem}"
    return value, None
