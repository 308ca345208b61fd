"""Run evalscope's AIME 2024 benchmark with its mock model; run by .venv-tools/evalscope.

Usage: python run_evalscope.py DATA.jsonl WORK_DIR N_PROBLEMS

evalscope's ``aime24`` benchmark (its prompt, answer extraction and ``acc`` metric) on the first
N_PROBLEMS rows of DATA (copied to WORK_DIR/data/test.jsonl and given as the benchmark's local
dataset: the hub copy is not reachable here), 2 repeats. The model is evalscope's ``mock_llm``
serving ``RESPONSES`` in order, one request at a time (problem by problem, repeat by repeat):
one stopped by the token limit, one whose answer sits inside an unclosed reasoning block.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from evalscope import TaskConfig, run_task
from evalscope.api.model import ModelOutput

RESPONSES = [
    ("<think>Speeds.</think>\nSo $\\boxed{204}$.", "stop"),
    ("<think>Speeds; so the answer is $\\boxed{204}$.", "stop"),
    ("<think>Power of a point.</think>\nThus $\\boxed{113}$.", "max_tokens"),
    ("<think>Power of a point.</think>\nIt is $\\boxed{113}$.", "stop"),
    ("<think>Count.</think>\n$\\boxed{5}$", "stop"),
    ("<think>Count.</think>\n$\\boxed{371}$", "stop"),
]


def outputs() -> list[ModelOutput]:
    """A list, not a generator: evalscope dumps the task config, which would consume one."""
    return [ModelOutput.from_content("mock_llm", t, stop_reason=s) for t, s in RESPONSES]


def main(data: str, work_dir: str, n: int) -> None:
    local = Path(work_dir) / "data"
    local.mkdir(parents=True, exist_ok=True)
    lines = Path(data).read_text().split("\n")[:n]
    (local / "test.jsonl").write_text("\n".join(lines) + "\n")
    (local / "default.jsonl").write_text("\n".join(lines) + "\n")
    task = TaskConfig(
        model="mock-model", eval_type="mock_llm", datasets=["aime24"],
        dataset_args={"aime24": {"dataset_id": str(local)}}, repeats=2, eval_batch_size=1,
        generation_config={"temperature": 0.6, "top_p": 0.95, "max_tokens": 64},
        model_args={"custom_outputs": outputs()}, work_dir=work_dir,
    )  # fmt: skip
    run_task(task)
    print(json.dumps(sorted(str(p) for p in Path(work_dir).rglob("reviews/**/*.jsonl"))))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
