"""Valid logs of every importer's format, written from the same sample texts.

``Samples`` maps each problem to its samples ``(text, finish reason, generated tokens)``. Each
writer below writes them in one tool's format: our own replay rows and the generic ``jsonl``
mapping here, lm-eval's ``--log_samples`` lines here, lighteval's details parquet through
the schema ``tests/helpers/tool_logs.py`` holds, OpenCompass's predictions
JSON here, and NeMo-Skills, SkyThought, MathArena and evalchemy
through ``tests/helpers/tool_logs.py`` (each written as the tool's code writes it; see there).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.types import Problem
from tests.helpers import tool_logs

Sample = tuple[str, str, int]
Samples = Mapping[str, Sequence[Sample]]  # problem id → its samples, in sample order
LM_EVAL_NAME = "samples_hendrycks_math500_2025-01-01T00-00-00.000001.jsonl"
GENERIC_FIELDS = ["backend.format=jsonl", "backend.fields.problem_id=qid",
                  "backend.fields.sample_index=idx", "backend.fields.response=output.text",
                  "backend.fields.finish_reason=stop"]  # fmt: skip


def _jsonl(path: Path, rows: Sequence[Mapping]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def ours(problems: Sequence[Problem], samples: Samples, folder: Path, finish: bool = True) -> Path:
    """Our own replay rows; ``finish=False`` leaves finish reasons out (logs that record none)."""
    rows = [
        {"problem_id": p.id, "sample_index": j, "response": t}
        | ({"finish_reason": f, "n_generated_tokens": k} if finish else {})
        for p in problems
        for j, (t, f, k) in enumerate(samples[p.id])
    ]
    return _jsonl(folder / ("ours.jsonl" if finish else "blind.jsonl"), rows)


def generic(problems: Sequence[Problem], samples: Samples, folder: Path) -> Path:
    """A JSON Lines log of other field names, read with ``GENERIC_FIELDS``."""
    rows = [
        {"qid": p.id, "idx": j, "output": {"text": t}, "stop": f, "meta": {"tokens": k}}
        for p in problems
        for j, (t, f, k) in enumerate(samples[p.id])
    ]
    return _jsonl(folder / "generic.jsonl", rows)


def lm_eval(problems: Sequence[Problem], samples: Samples, folder: Path) -> Path:
    """lm-eval 0.4's ``--log_samples`` lines: a document's repeats in one ``resps`` request."""
    rows = []
    for i, p in enumerate(problems):
        texts = [t for t, _, _ in samples[p.id]]
        doc = {"problem": p.question, "solution": "", "answer": p.gold, "unique_id": p.id}
        prompt = f"Problem: {p.question}\nAnswer:"
        rows.append(
            {
                "doc_id": i,
                "doc": doc,
                "target": p.gold,
                "arguments": {"gen_args_0": {"arg_0": prompt, "arg_1": {"until": []}}},
                "resps": [texts],
                "filtered_resps": [texts[0]],
                "filter": "none",
                "metrics": ["exact_match"],
                "doc_hash": "0",
                "prompt_hash": "0",
                "target_hash": "0",
                "exact_match": 0.0,
            }  # fmt: skip
        )
    return _jsonl(folder / LM_EVAL_NAME, rows)


def lighteval(problems: Sequence[Problem], samples: Samples, folder: Path) -> Path:
    """lighteval 0.13's details parquet (``tool_logs``' schema); a cut sample used ``SIZE``."""
    from datasets import Dataset

    date = "2025-02-01T10-00-00.000001"
    where = folder / "details" / "deepseek-ai" / "DeepSeek-R1-Distill-Qwen-1.5B" / date
    where.mkdir(parents=True)
    rows = []
    for i, p in enumerate(problems):
        texts = [t for t, _, _ in samples[p.id]]
        tokens = [[1] * (SIZE if f == "length" else 1) for _, f, _ in samples[p.id]]
        doc = {**tool_logs._DOC, "query": p.question, "id": str(i), "task_name": LIGHTEVAL_TASK}
        doc.update(generation_size=SIZE, sampling_methods=["GENERATIVE"], num_samples=len(texts))
        resp = {**tool_logs._RESPONSE, "input": p.question, "text": texts, "output_tokens": tokens}
        rows.append({"doc": doc, "model_response": resp, "metric": {"pass@k:k=1&n=1": 0.0}})
    dataset = Dataset.from_list(rows)
    path = where / f"details_{LIGHTEVAL_TASK}_{date}.parquet"
    with path.open("wb") as handle:
        dataset.select_columns(sorted(dataset.column_names)).to_parquet(handle)
    return path


def opencompass(problems: Sequence[Problem], samples: Samples, folder: Path) -> Path:
    """OpenCompass's ``predictions/<model>/<dataset>.json`` (``tests/unit/test_opencompass_format
    .py`` cites the writer code): ``{str(idx): {origin_prompt, prediction, gold}}``."""
    results = {
        str(i): {
            "origin_prompt": [{"role": "HUMAN", "prompt": f"{p.question}\nPut it in \\boxed{{}}."}],
            "prediction": [t for t, _, _ in samples[p.id]],
            "gold": p.gold,
        }
        for i, p in enumerate(problems)
    }
    path = (
        folder
        / "outputs"
        / "default"
        / "20261201_000000"
        / "predictions"
        / "tiny-r1"
        / "aime2024.json"
    )
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(results, indent=4, ensure_ascii=False), encoding="utf-8")
    return path


LIGHTEVAL_TASK = "lighteval|math_500|0"


def evalscope(problems: Sequence[Problem], samples: Samples, folder: Path) -> Path:
    """evalscope 1.14's ``reviews/<model>/<benchmark>_<subset>.jsonl`` (the fields its importer
    docstring cites from ``evalscope/api/evaluator/cache.py``), without a predictions file."""
    rows, index = [], 0
    for i, p in enumerate(problems):
        for j, (t, _, _) in enumerate(samples[p.id]):
            chat = [{"role": "user", "content": p.question}, {"role": "assistant", "content": t}]
            score = {"value": {"acc": 0.0}, "main_score_name": "acc", "prediction": t,
                     "extracted_prediction": ""}  # fmt: skip
            sample_score = {"group_id": i, "generation_index": j, "score": score,
                            "sample_metadata": {"id": p.id}}  # fmt: skip
            rows.append({"index": index, "target": p.gold, "messages": chat,
                         "sample_score": sample_score})  # fmt: skip
            index += 1
    return _jsonl(folder / "20261201_000000" / "reviews" / "tiny-r1" / "aime24_default.jsonl", rows)


INSPECT_STOP = {"stop": "stop", "length": "max_tokens"}  # ours → inspect-ai's stop_reason


def inspect(problems: Sequence[Problem], samples: Samples, folder: Path) -> Path:
    """inspect-ai 0.3's ``.json`` log: the ``EvalLog`` with its ``samples`` (epoch k = sample
    k−1), the fields its importer docstring cites from ``src/inspect_ai/log/_log.py``."""
    items = [
        {"id": i + 1, "epoch": j + 1, "input": p.question, "target": p.gold,
         "output": {"choices": [{"message": {"role": "assistant", "content": t},
                                 "stop_reason": INSPECT_STOP[f]}],
                    "usage": {"input_tokens": 90, "output_tokens": k}},
         "scores": {"aime_scorer": {"value": "I", "answer": ""}}}
        for i, p in enumerate(problems)
        for j, (t, f, k) in enumerate(samples[p.id])
    ]  # fmt: skip
    spec = {"task": "aime2024", "model": "vllm/tiny-r1", "scorers": [{"name": "aime_scorer"}],
            "dataset": {"name": "aime_2024"}, "config": {"epochs": N_EPOCHS}}  # fmt: skip
    log = {"version": 2, "status": "success", "eval": spec, "plan": {}, "results": {},
           "samples": items}  # fmt: skip
    path = folder / "logs" / "2026-12-01T00-00-00_aime2024_abc.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(log, indent=2), encoding="utf-8")
    return path


N_EPOCHS = 3
SIZE = 32  # lighteval's generation_size in these logs


Writer = Callable[[Sequence[Problem], Samples, Path], Path]


def _tool(writer: Callable[..., Path], name: str) -> Writer:
    """A ``tool_logs`` writer fed ``samples`` instead of its three fixed texts."""

    def write(problems: Sequence[Problem], samples: Samples, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        fixed = tool_logs.samples
        tool_logs.samples = lambda p: list(samples[p.id])
        try:
            if name == "nemo_skills":
                return writer(problems, folder / "eval-results" / "aime24")
            if name == "evalchemy":
                return writer(problems, folder / "train-00000-of-00001.parquet")
            if name == "matharena":
                return writer(problems, folder / "aime.jsonl")
            return writer(problems, folder / "sky")
        finally:
            tool_logs.samples = fixed

    return write


@dataclass(frozen=True)
class Format:
    """One importer's log: its writer, the benchmark it is written for, and how it is read."""

    name: str
    benchmark: str  # math500 | aime24 (the tool writers need integer answers or ids)
    write: Callable[[Sequence[Problem], Samples, Path], Path]
    overrides: tuple[str, ...] = ()
    finish: bool = True  # the log records finish reasons (else compare with ours without them)


TEXT = ("backend.match=problem_text",)
FORMATS = (
    Format("replay", "math500", ours),
    Format("jsonl", "math500", generic, tuple(GENERIC_FIELDS)),
    Format("lm_eval", "math500", lm_eval, finish=False),
    Format("lighteval", "math500", lighteval),
    Format("nemo_skills", "aime24", _tool(tool_logs.nemo_skills, "nemo_skills"), TEXT),
    Format("skythought", "aime24", _tool(tool_logs.skythought, "skythought"), TEXT),
    Format("matharena", "aime24", _tool(tool_logs.matharena, "matharena"), TEXT, finish=False),
    Format("evalchemy", "aime24", _tool(tool_logs.evalchemy, "evalchemy"), TEXT, finish=False),
    Format("opencompass", "aime24", opencompass, finish=False),
    Format("evalscope", "aime24", evalscope, TEXT, finish=False),
    Format("inspect", "aime24", inspect, TEXT),
)
