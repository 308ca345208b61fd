"""A tiny TRAINED R1-style model for the vLLM/API tests (run in an env with torch).

``python -m tests.helpers.vllm_tiny CACHE_DIR`` builds ``harness.models.tiny``'s model (R1 chat
template, BOS trap, ``</think>`` as a special token) with a tokenizer trained on "What is a+b?"
problems, then trains the weights for a few seconds on R1-shaped answers rendered through the
model's own chat template, so greedy decoding yields "... </think> ... \\boxed{..}" and stops
at the end-of-sentence token. The build goes through the model cache
(``harness.models.cache``) under CACHE_DIR, keyed with this venv's torch/transformers versions:
trained once, whichever test or xdist worker asks first. The last line printed is its directory.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness.data.prompts import MATH_INSTRUCTION

PAIRS = [(a, b) for a in range(10) for b in range(10)]


def question(a: int, b: int) -> str:
    return f"What is {a}+{b}?"


def build(out: Path, steps: int = 150) -> Path:
    from transformers import AutoTokenizer

    from harness.models.tiny import build_tiny_model, spec_for_problems
    from harness.models.tiny_train import train_tiny_model

    build_tiny_model(out, spec_for_problems([question(a, b) for a, b in PAIRS]))
    tok = AutoTokenizer.from_pretrained(out)
    examples = [
        (
            tok.apply_chat_template(
                [{"role": "user", "content": f"{question(a, b)}\n{MATH_INSTRUCTION}"}],
                add_generation_prompt=True,
                tokenize=False,
            ),
            f"We add {a} and {b} to get {a + b}.\n</think>\n\nThe answer is \\boxed{{{a + b}}}.",
        )
        for a, b in PAIRS
    ]
    # All 100 rows in one forward pass: the same gradient as batches of 4 (each step accumulates
    # over every example), a little faster (measured 2026-12-02 on one core: 0.22 s a step
    # against 0.27 s; 0.15 s on two idle cores). After 150 steps every greedy answer has
    # "</think>", a box and the EOS (checked on all 100 pairs, 30 of them right).
    report = train_tiny_model(
        out, examples, max_steps=steps, check_every=50, lr=5e-3, batch_size=len(examples)
    )
    print(f"tiny model in {out}: {report}")
    return out


def cached(cache: Path, steps: int = 150) -> Path:
    """``build`` through the model cache ``cache``; the directory it returns is read-only."""
    from harness.models.cache import cached_build

    recipe = {
        "kind": "vllm_tiny", "pairs": PAIRS, "steps": steps, "check_every": 50, "lr": 5e-3,
        "batch_size": len(PAIRS),
    }  # fmt: skip
    return cached_build(cache, recipe, lambda out: build(out, steps), code=[__name__])


if __name__ == "__main__":
    print(cached(Path(sys.argv[1])))
