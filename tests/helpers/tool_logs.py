"""Logs of NeMo-Skills, evalchemy, MathArena and SkyThought, as their writer code writes them.

None of the four installs here: NeMo-Skills, MathArena and evalchemy are not on PyPI, and
``skythought`` is not in this machine's package index (``pip index versions skythought``: none).
Each writer below follows the tool's code at the cited commit, field by field and in the same
order; the texts are the R1-shaped samples of ``samples`` (one right after ``</think>``, one whose
answer sits only inside the reasoning, one cut off by the token limit), and each tool's own verdict
is the one its grader gives them (the last ``\\boxed{}`` of the whole text: right for all three).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from harness.types import Problem

MAX_TOKENS = 64  # the token limit the logs record; sample 2 reaches it


def samples(p: Problem) -> list[tuple[str, str, int]]:
    """``(text, finish reason, generated tokens)`` of the three samples of one problem."""
    return [
        (f"<think>\nWorking.\n</think>\n\nThe answer is $\\boxed{{{p.gold}}}$.", "stop", 20),
        (f"<think>\nSo it is \\boxed{{{p.gold}}}.\n</think>\n\nI am done.", "stop", 18),
        (f"<think>\nStill going, maybe \\boxed{{{p.gold}}} or", "length", MAX_TOKENS),
    ]


def ours(problems: Sequence[Problem], path: Path, *, finish: bool = True) -> Path:
    """The same texts in our own replay format (independent of every importer).

    ``finish=False`` leaves the finish reasons out, as logs that record none do.
    """
    rows = [
        {"problem_id": p.id, "sample_index": j, "response": t}
        | ({"finish_reason": f} if finish else {})
        for p in problems
        for j, (t, f, _) in enumerate(samples(p))
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def nemo_skills(
    problems: Sequence[Problem], folder: Path, *, parse_reasoning: bool = False
) -> Path:
    """NVIDIA/NeMo-Skills 0b012df8: ``eval-results/<benchmark>/output-rs<seed>.jsonl`` per seed.

    Key order as ``postprocess_single_output`` leaves it (the model's output dict, then the input
    data point's fields, then the math evaluator's ``predicted_answer`` and ``symbolic_correct``);
    ``parse_reasoning`` moves the whole text to ``_full_generation`` (``nemo_skills/utils.py``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(3):
        lines = []
        for i, p in enumerate(problems):
            text, finish, tokens = samples(p)[seed]
            out = {
                "generation": text, "num_generated_tokens": tokens, "finish_reason": finish,
                "generation_start_time": 1.0, "generation_end_time": 2.0, "generation_time": 1.0,
            }  # fmt: skip
            if parse_reasoning:
                out["_generation_finished_thinking"] = "</think>" in text
                out["_full_generation"] = text
                out["generation"] = text.split("</think>")[-1].strip() if "</think>" in text else ""
            data = {"id": f"aime24-{i}", "problem": p.question, "expected_answer": p.gold}
            if p.id.startswith("test/"):  # MATH-500 keeps its unique_id
                data = {"problem": p.question, "expected_answer": p.gold, "unique_id": p.id}
            lines.append({**out, **data, "predicted_answer": p.gold, "symbolic_correct": True})
        path = folder / f"output-rs{seed}.jsonl"
        path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return folder / "output-rs0.jsonl"


def evalchemy(problems: Sequence[Problem], path: Path, task: str = "AIME24") -> Path:
    """mlfoundations/evalchemy 6ed67415: a generation data set shard, written with ``datasets``.

    Rows of ``UploadInstancesToHF.generate_until`` (``eval/chat_benchmarks/upload_to_hf_lm.py``)
    with ``model_outputs`` added (``eval/distributed/process_shard.py``), saved with
    ``Dataset.to_parquet`` as ``process_shard`` saves a shard locally.
    """
    from datasets import Dataset

    rows = []
    for repeat in range(3):
        for i, p in enumerate(problems):
            user = f"Problem: {p.question}\nMark your solution with \\boxed\nAnswer:"
            rows.append(
                {
                    "context": [{"role": "user", "content": user}],
                    "gen_kwargs": {"do_sample": False, "max_new_tokens": MAX_TOKENS,
                                   "temperature": 0.7, "seed": [repeat, 1234 + repeat]},
                    "repeat_idx": repeat,
                    "request_idx": i,
                    "task_name": task,
                    "metadata": {"problem_id": f"aime24-{i}", "expected_answer": p.gold,
                                 "reference_solution": ""},
                    "model_outputs": samples(p)[repeat][0],
                }
            )  # fmt: skip
    Dataset.from_list(rows).to_parquet(str(path))
    return path


def matharena(
    problems: Sequence[Problem], path: Path, models: Sequence[str] = ("r1-1.5b",)
) -> Path:
    """eth-sri/matharena e9276603: ``scripts/curation/upload_outputs.py --local-save-path``.

    One row per (model, problem, answer) in its column order; ``all_messages`` JSON-encoded as the
    script encodes list columns; ``df.to_json(orient="records", lines=True)`` through pandas.
    """
    import pandas as pd

    rows = []
    for model in models:
        for i, p in enumerate(problems, start=1):
            for j, (text, _, tokens) in enumerate(samples(p)):
                user = f"Put your final answer within \\boxed{{}}.\n\n{p.question}"
                messages = [
                    {"role": "user", "content": user},
                    {"role": "assistant", "content": text},
                ]
                rows.append(
                    {
                        "problem_idx": str(i), "problem": p.question,
                        "model_name": "R1-Distill-1.5B", "model_config": f"deepseek/{model}",
                        "idx_answer": j, "all_messages": json.dumps(messages),
                        "user_message": user, "answer": text,
                        "input_tokens": 100, "output_tokens": tokens, "cost": 0.0,
                        "input_cost_per_tokens": 0.0, "output_cost_per_tokens": 0.0,
                        "gold_answer": int(p.gold), "parsed_answer": str(p.gold), "correct": True,
                    }
                )  # fmt: skip
    pd.DataFrame(rows).to_json(path, index=False, orient="records", lines=True)
    return path


def skythought(problems: Sequence[Problem], folder: Path, *, summary: bool = True) -> Path:
    """NovaSky-AI/SkyThought 0d190f11: ``skythought evaluate``'s ``results.json``, ``summary.json``.

    ``generate_responses_for_dataset`` (``skythought/evals/inference_and_check.py``): records keyed
    by ``_index``, the dataset row plus ``prompt``, ``input_conversation``, ``responses``
    (``SingleParsedResponse.to_dict``, stripped content, with ``score_responses``' correctness) and
    ``token_usages``; written with ``json.dumps(..., indent=4, ensure_ascii=False)``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    results = {}
    for idx, p in enumerate(problems):
        prompt = f"Return your final response within \\boxed{{}}. {p.question}"
        results[str(idx)] = {
            "id": int(p.id), "problem": p.question, "answer": p.gold, "url": "", "_index": str(idx),
            "prompt": prompt, "input_conversation": [{"role": "user", "content": prompt}],
            "responses": [{"content": t.strip(), "correctness": True, "reason": ""}
                          for t, _, _ in samples(p)],
            "token_usages": [{"completion_tokens": k, "prompt_tokens": 90}
                             for _, _, k in samples(p)],
        }  # fmt: skip
    path = folder / "results.json"
    path.write_text(json.dumps(results, indent=4, ensure_ascii=False), encoding="utf-8")
    if summary:
        config = {
            "task": {"name": "aime24", "config": {}, "start": 0, "end": -1},
            "model": {"name": "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "config": {}},
            "backend": {"name": "vllm", "backend_args": {}},
            "sampling_params": {
                "temperature": 0.6,
                "top_p": 0.95,
                "n": 3,
                "max_tokens": MAX_TOKENS,
            },
        }
        summ = {"configuration": config, "accuracy": 1.0, "pass_at_k": {"pass@1": 1.0}}
        (folder / "summary.json").write_text(json.dumps(summ, indent=4), encoding="utf-8")
    return path


# lighteval 0.13.0's Doc and ModelResponse fields (lighteval/tasks/requests.py,
# lighteval/models/model_output.py), as ``EvaluationTracker.save`` writes them: the evidence
# entry of open-r1's details is tested on this schema (the real lighteval file is written by
# lighteval itself in tests/integration/test_lighteval_import.py).
_DOC = dict(
    query="", choices=[], gold_index=0, instruction=None, images=None, specific=None,
    unconditioned_query=None, original_query=None, id="", task_name="", fewshot_samples=[],
    sampling_methods=[], fewshot_sorting_class=None, generation_size=None, stop_sequences=None,
    use_logits=False, num_samples=1, generation_grammar=None,
)  # fmt: skip
_RESPONSE = dict(
    input=None, input_tokens=[], text=[], output_tokens=[], text_post_processed=None,
    reasonings=[], logprobs=[], argmax_logits_eq_gold=[], logits=None,
    unconditioned_logprobs=None, truncated_tokens_count=0, padded_tokens_count=0,
)  # fmt: skip


def lighteval_details(
    root: Path, problems: Sequence[Problem], texts: list[list[str]], task: str, size: int = 32
) -> Path:
    """A ``details/<model>/<date>/details_<task>_<date>.parquet`` in lighteval 0.13's schema."""
    from datasets import Dataset

    date = "2025-02-01T10-00-00.000001"
    folder = root / "details" / "deepseek-ai" / "DeepSeek-R1-Distill-Qwen-1.5B" / date
    folder.mkdir(parents=True)
    rows = []
    for i, (p, t) in enumerate(zip(problems, texts, strict=True)):
        doc = {**_DOC, "query": p.question, "id": str(i), "task_name": task}
        doc.update(generation_size=size, sampling_methods=["GENERATIVE"], num_samples=len(t))
        resp = {**_RESPONSE, "input": p.question, "text": t, "output_tokens": [[1] * 5 for _ in t]}
        rows.append({"doc": doc, "model_response": resp, "metric": {"pass@k:k=1&n=1": 0.0}})
    dataset = Dataset.from_list(rows)
    path = folder / f"details_{task}_{date}.parquet"
    with path.open("wb") as handle:
        dataset.select_columns(sorted(dataset.column_names)).to_parquet(handle)
    return path
