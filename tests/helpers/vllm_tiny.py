"""A tiny TRAINED R1-style model for the vLLM/API tests (run in an env with torch).

``python -m tests.helpers.vllm_tiny OUT_DIR`` builds ``harness.models.tiny``'s model (R1 chat
template, BOS trap, ``</think>`` as a special token) with a tokenizer trained on "What is a+b?"
problems, then trains the weights for a few seconds on R1-shaped answers rendered through the
model's own chat template, so greedy decoding yields "... </think> ... \\boxed{..}" and stops
at the end-of-sentence token.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness.data.prompts import MATH_INSTRUCTION

PAIRS = [(a, b) for a in range(10) for b in range(10)]


def question(a: int, b: int) -> str:
    return f"What is {a}+{b}?"


def build(out: Path, steps: int = 150) -> Path:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harness.models.tiny import build_tiny_model, spec_for_problems

    build_tiny_model(out, spec_for_problems([question(a, b) for a, b in PAIRS]))
    tok = AutoTokenizer.from_pretrained(out)
    texts = [
        tok.apply_chat_template(
            [{"role": "user", "content": f"{question(a, b)}\n{MATH_INSTRUCTION}"}],
            add_generation_prompt=True,
            tokenize=False,
        )
        + f"We add {a} and {b} to get {a + b}.\n</think>\n\nThe answer is \\boxed{{{a + b}}}."
        + tok.eos_token
        for a, b in PAIRS
    ]
    batch = tok(texts, padding=True, return_tensors="pt", add_special_tokens=False)
    labels = batch.input_ids.masked_fill(batch.attention_mask == 0, -100)
    model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32)
    torch.manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-3)
    model.train()
    for _ in range(steps):
        loss = model(**batch, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
    model.eval()
    model.save_pretrained(out)
    print(f"tiny model in {out}: final loss {loss.item():.3f}")
    return out


if __name__ == "__main__":
    build(Path(sys.argv[1]))
