"""A lighteval custom model answering fixed texts; run by .venv-tools/lighteval.

lighteval 0.13's ``custom`` entry point loads the one ``LightevalModel`` subclass of this file.
It answers each AIME problem with the texts of ``RESPONSES`` (as tests/integration/tools/
run_inspect.py does for inspect-ai): one cut by the token limit (its output tokens are exactly
``doc.generation_size``), one whose answer sits inside an unclosed reasoning block, one whose last
box is not lighteval's final line. Token ids come from the tokenizer in $LIGHTEVAL_TOKENIZER
(the tiny model's, saved by the test).
"""

from __future__ import annotations

import os

from lighteval.models.abstract_model import LightevalModel
from lighteval.models.model_output import ModelResponse
from transformers import PreTrainedTokenizerFast

RESPONSES = [
    ["<think>Speeds.</think>\nSo $\\boxed{204}$.",
     "<think>Speeds; so the answer is $\\boxed{204}$."],
    ["<think>Power of a point gives " + "a long computation " * 40 + "</think> $\\boxed{113}$",
     "<think>Power of a point.</think>\nIt is $\\boxed{113}$."],
    ["<think>Count.</think>\n$\\boxed{5}$", "<think>Count.</think>\n$\\boxed{371}$"],
]  # fmt: skip
PROBLEM_KEYS = ("Aya goes for a $9$-kilometer", "tangents to $\\omega$", "regular octagon")


class FixedTextsModel(LightevalModel):
    """Answers from ``RESPONSES``, found by a phrase of the problem in the query."""

    def __init__(self, config) -> None:
        self.config = config
        # tokenizer.json itself: the config that transformers 5 saves names a class 4.x lacks
        tok = os.path.join(os.environ["LIGHTEVAL_TOKENIZER"], "tokenizer.json")
        self._tokenizer = PreTrainedTokenizerFast(tokenizer_file=tok)
        from lighteval.utils.cache_management import SampleCache

        self._cache = SampleCache(config)

    @property
    def tokenizer(self):
        return self._tokenizer

    @property
    def add_special_tokens(self) -> bool:
        return False

    @property
    def max_length(self) -> int:
        return 4096

    def greedy_until(self, docs):
        out = []
        for doc in docs:
            (k,) = [i for i, key in enumerate(PROBLEM_KEYS) if key in doc.query]
            texts, tokens = [], []
            for text in RESPONSES[k][: doc.num_samples]:
                ids = self._tokenizer.encode(text, add_special_tokens=False)
                if doc.generation_size and len(ids) > doc.generation_size:  # stopped by the limit
                    ids = ids[: doc.generation_size]
                    text = self._tokenizer.decode(ids)
                texts.append(text)
                tokens.append(ids)
            out.append(ModelResponse(input=doc.query, text=texts, output_tokens=tokens))
        return out

    def loglikelihood(self, docs):
        raise NotImplementedError

    def loglikelihood_rolling(self, docs):
        raise NotImplementedError
