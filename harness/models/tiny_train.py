r"""Teach a tiny model (``harness.models.tiny``) to answer a few problems, in seconds on a CPU.

Teacher forcing on the exact templated prompt (``harness.prompts.build_prompt``) followed by a
short R1-shaped response ``"<reasoning>\n</think>\n\n\boxed{ANSWER}"`` + EOS; the loss covers
only the response. Training stops as soon as greedy decoding reproduces every response token for
token (checked every ``check_every`` steps), so an end-to-end run on these problems reaches a
known accuracy, and a prompt that differs from the one trained on (no chat template, no
instruction, a doubled ``<think>``) visibly scores lower. Deterministic: seeded and step-counted (no
wall-clock stop unless asked for).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from harness.models.tiny import (
    TinySpec,
    _imports,
    build_tiny_model,
    mark_trained,
    spec_for_problems,
)
from harness.types import Problem


@dataclass(frozen=True)
class TrainReport:
    """How a training run went.

    Attributes:
        steps: Optimiser steps taken.
        seconds: Wall time of the training loop.
        loss: Last training loss (mean over response tokens).
        reproduced: Examples whose response greedy decoding reproduces exactly.
        total: Examples trained on.
    """

    steps: int
    seconds: float
    loss: float
    reproduced: int
    total: int


def r1_response(answer: str, reasoning: str = "I will work it out.") -> str:
    r"""The response taught after the forced ``"<think>\n"``: reasoning, ``</think>``, answer."""
    return f"{reasoning}\n</think>\n\n\\boxed{{{answer}}}"


def train_tiny_model(
    model_dir: str | Path,
    examples: Sequence[tuple[str, str]],
    *,
    seed: int = 0,
    max_steps: int = 800,
    check_every: int = 15,
    lr: float = 3e-3,
    time_limit_s: float | None = None,
    batch_size: int = 4,
) -> TrainReport:
    """Train the model in ``model_dir`` on (prompt, response) pairs and save it in place.

    Args:
        model_dir: A directory written by ``build_tiny_model``.
        examples: ``(exact prompt text, response text)``; the prompt already holds the BOS (the
            chat template renders it), so it is tokenized without special tokens, as lm-eval
            and vLLM do for such prompts.
        seed: Seeds the optimiser's data order and dropout-free training.
        max_steps: Upper bound on optimiser steps.
        check_every: Steps between greedy reproduction checks (training stops at 100 %).
        lr: AdamW learning rate.
        time_limit_s: Optional wall-clock stop (makes the result depend on machine speed).
        batch_size: Rows per forward pass. Every step accumulates the gradient over all
            examples, weighted by response tokens, so the size changes only the rounding (and
            the speed: one pass over 100 short rows is ~10x faster on a CPU than 25 of 4).

    Returns:
        The report; ``reproduced == total`` when every response is reproduced greedily.
    """
    torch, transformers, _ = _imports()
    torch.manual_seed(seed)
    tok = transformers.AutoTokenizer.from_pretrained(str(model_dir))
    model = transformers.AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    rows = []
    for prompt, response in examples:
        p = tok(prompt, add_special_tokens=False).input_ids
        r = tok(response, add_special_tokens=False).input_ids + [tok.eos_token_id]
        rows.append((p, r))
    batches = _batches(rows, torch, tok.pad_token_id, batch_size)
    total = sum(int((b[2] != -100).sum()) for b in batches)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    started = time.monotonic()
    step, loss_value, reproduced = 0, float("nan"), 0
    while step < max_steps and (time_limit_s is None or time.monotonic() - started < time_limit_s):
        model.train()
        loss_value = 0.0
        for ids, mask, labels in batches:  # similar lengths together: little padding
            weight = int((labels != -100).sum()) / total
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss * weight
            loss.backward()
            loss_value += float(loss.item())
        opt.step()
        opt.zero_grad()
        step += 1
        if step % check_every == 0:
            reproduced = _reproduced(model, rows, tok, torch)
            if reproduced == len(rows):
                break
    model.eval()
    model.save_pretrained(str(model_dir))
    report = TrainReport(
        steps=step,
        seconds=round(time.monotonic() - started, 2),
        loss=loss_value,
        reproduced=reproduced,
        total=len(rows),
    )
    mark_trained(model_dir, asdict(report))
    return report


def _batches(rows, torch, pad_id: int, size: int = 4) -> list[tuple]:
    """Right-padded (ids, mask, labels) batches of up to ``size`` rows of similar length."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]) + len(rows[i][1]))
    out = []
    for start in range(0, len(order), size):
        group = [rows[i] for i in order[start : start + size]]
        width = max(len(p) + len(r) for p, r in group)
        ids = torch.full((len(group), width), pad_id, dtype=torch.long)
        labels = torch.full((len(group), width), -100, dtype=torch.long)
        mask = torch.zeros((len(group), width), dtype=torch.long)
        for i, (p, r) in enumerate(group):
            seq = p + r
            ids[i, : len(seq)] = torch.tensor(seq)
            labels[i, len(p) : len(seq)] = torch.tensor(r)
            mask[i, : len(seq)] = 1
        out.append((ids, mask, labels))
    return out


def _reproduced(model, rows, tok, torch) -> int:
    """How many responses greedy decoding reproduces token for token (EOS included).

    One left-padded batch; a row counts when its first ``len(response)`` generated tokens are
    the response (EOS last), whatever the batch pads after it.
    """
    model.eval()
    width = max(len(p) for p, _ in rows)
    ids = torch.full((len(rows), width), tok.pad_token_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, (p, _) in enumerate(rows):
        ids[i, width - len(p) :] = torch.tensor(p)
        mask[i, width - len(p) :] = 1
    with torch.no_grad():
        out = model.generate(
            input_ids=ids,
            attention_mask=mask,
            max_new_tokens=max(len(r) for _, r in rows),
            do_sample=False,
            top_k=None,
            top_p=None,
            temperature=None,
            pad_token_id=tok.pad_token_id,
        )
    gen = out[:, width:].tolist()
    return sum(g[: len(r)] == r for g, (_, r) in zip(gen, rows, strict=True))


NO_ANSWER = "I am not sure.\n</think>\n\nI cannot answer."
"""Taught under the common wrong prompt formats (``wrong_prompts``): no final answer."""


def wrong_prompts(tokenizer: object, problem: Problem) -> list[str]:
    """Prompts with two usual format bugs: no chat template, no forced ``<think>``.

    A real distill degrades under these; a tiny model trained only on the right format would
    not, since it keys on the problem text. Teaching it to give no answer under them makes the
    end-to-end test sensitive to exactly these bugs.
    """
    from harness.prompts import THINK_PREFIX, build_prompt, user_message

    right = build_prompt(tokenizer, problem, reasoning=True)
    return [
        user_message(problem) + THINK_PREFIX,  # no chat template
        right.removesuffix(THINK_PREFIX),  # response not forced into <think>
    ]


def build_trained_tiny_model(
    out_dir: str | Path,
    problems: Sequence[Problem],
    *,
    spec: TinySpec | None = None,
    reasoning: str = "I will work it out.",
    **train_kwargs: object,
) -> tuple[Path, TrainReport]:
    r"""Build a tiny model whose tokenizer knows ``problems`` and train it to answer them.

    The prompts are the harness's own (``harness.prompts.build_prompt`` with the model's chat
    template, ``"<think>\n"`` forced), so the model answers only when it is prompted exactly as
    the harness prompts.

    Args:
        out_dir: Target directory.
        problems: The problems to learn (their ``gold`` is the taught answer).
        spec: Shape/template/seed; its corpus is replaced by the problem texts.
        reasoning: The reasoning line of every taught response.
        **train_kwargs: Passed to ``train_tiny_model``; ``contrast=False`` leaves out the
            wrong-format examples (``wrong_prompts``, taught ``NO_ANSWER``).

    Returns:
        The directory and the training report.
    """
    from harness.prompts import build_prompt

    _, transformers, _ = _imports()
    contrast = bool(train_kwargs.pop("contrast", True))
    base = spec or TinySpec()
    spec = spec_for_problems(
        [p.question for p in problems],
        **{k: getattr(base, k) for k in TinySpec.__dataclass_fields__ if k != "corpus"},
    )
    path = build_tiny_model(out_dir, spec)
    tok = transformers.AutoTokenizer.from_pretrained(str(path))
    examples = [
        (build_prompt(tok, p, reasoning=True), r1_response(p.gold, reasoning)) for p in problems
    ]
    if contrast:
        examples += [(wrong, NO_ANSWER) for p in problems for wrong in wrong_prompts(tok, p)]
    report = train_tiny_model(path, examples, seed=spec.seed, **train_kwargs)  # type: ignore[arg-type]
    return path, report
