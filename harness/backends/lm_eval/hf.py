"""lm-eval ``hf`` specifics: keep ``</think>`` in the text and count generated tokens exactly.

lm-eval's ``HFLM.generate_until`` decodes each continuation with ``skip_special_tokens=True``,
which silently drops ``</think>`` when the tokenizer marks it special (docs/packages.md §3), and
it returns text only. ``ExactDecode`` replaces that one instance's ``tok_decode``: it cuts the
continuation at the first EOS, decodes the rest with special tokens kept, and records how many
tokens were generated and whether EOS ended them, keyed by the returned text, so the backend reads
exact counts and finish reasons instead of re-tokenizing. lm-eval's ``think_end_token`` is not
used: it strips the reasoning from the returned text, and the harness grades the whole response.
"""

from __future__ import annotations

from collections import defaultdict, deque
from typing import Any


class ExactDecode:
    """Drop-in for ``HFLM.tok_decode`` that keeps special tokens and records token counts."""

    def __init__(self, lm: Any) -> None:
        self._original = lm.tok_decode
        self._tokenizer = lm.tokenizer
        ids = {lm.tokenizer.eos_token_id}
        gen_eos = getattr(getattr(lm.model, "generation_config", None), "eos_token_id", None)
        ids |= set(gen_eos) if isinstance(gen_eos, list | tuple) else {gen_eos}
        self.eos_ids = {i for i in ids if i is not None}
        self._records: dict[str, deque[tuple[int, bool]]] = defaultdict(deque)

    def __call__(self, tokens: Any, skip_special_tokens: bool = True) -> str:
        """Decode one continuation up to its first EOS, special tokens kept; record its count."""
        if isinstance(tokens, int):  # lm-eval decodes the EOS id once for its stop list
            return self._original(tokens, skip_special_tokens=skip_special_tokens)
        toks = list(tokens)
        stop = next((i for i, t in enumerate(toks) if t in self.eos_ids), None)
        kept = toks if stop is None else toks[:stop]
        text = self._tokenizer.decode(kept, skip_special_tokens=False)
        # Generated tokens include the EOS that ended the response (as vLLM and APIs count).
        self._records[text].append((len(toks) if stop is None else stop + 1, stop is not None))
        return text

    def take(self, text: str) -> tuple[int, bool] | None:
        """``(generated tokens, ended by EOS)`` for a returned text, or None if unseen."""
        queue = self._records.get(text)
        return queue.popleft() if queue else None


def install(lm: Any) -> ExactDecode:
    """Install ``ExactDecode`` on an ``HFLM`` instance and return it."""
    recorder = ExactDecode(lm)
    lm.tok_decode = recorder
    return recorder
