"""Run inspect-ai on bundled AIME 2024 problems with its mock model; run by .venv-tools/inspect.

Usage: python run_inspect.py DATA.jsonl LOG_DIR N_PROBLEMS

The task is inspect_evals' AIME task (``inspect_evals.aime2024``: its ``aime_solver`` prompt and
``aime_scorer``) on the first N_PROBLEMS rows of DATA (the hub copy it normally loads is not
reachable here), two epochs. The model is inspect's ``mockllm/model`` answering with the texts of
``RESPONSES`` (a truncated one, one whose answer sits inside an unclosed reasoning block, …), in
order per problem; samples run one at a time so epoch k gets response k. The log is written by
inspect itself in its ``.eval`` format and converted by its own ``inspect log convert`` to JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from inspect_ai import Task, eval
from inspect_ai.dataset import FieldSpec, json_dataset
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from inspect_evals.utils.aime_common import aime_scorer, aime_solver

# (text, stop reason) per problem row, one per epoch: see tests/integration/test_inspect_import.py
RESPONSES = [
    [("<think>Speeds.</think>\nSo \\boxed{204}.\nANSWER: 204", "stop"),
     ("<think>Speeds; so the answer is \\boxed{204}.\nANSWER: 204", "stop")],
    [("<think>Power of a point.</think>\nThus \\boxed{113}.\nANSWER: 113", "max_tokens"),
     ("<think>Power of a point.</think>\nIt is \\boxed{113}.\nI double-checked it.", "stop")],
    [("<think>Count.</think>\n\\boxed{5}\nANSWER: 5", "stop"),
     ("<think>Count.</think>\n\\boxed{371}\nANSWER: 371", "stop")],
]  # fmt: skip


def main(data: str, log_dir: str, n: int) -> None:
    rows = [json.loads(line) for line in Path(data).read_text().splitlines()[:n]]
    subset = Path(log_dir) / "problems.jsonl"
    subset.parent.mkdir(parents=True, exist_ok=True)
    subset.write_text("".join(json.dumps(r) + "\n" for r in rows))
    by_problem = {r["problem"]: RESPONSES[i] for i, r in enumerate(rows)}
    served: dict[str, int] = {}

    def respond(messages, tools, tool_choice, config) -> ModelOutput:
        prompt = messages[-1].text
        problem = next(p for p in by_problem if p in prompt)
        k = served.get(problem, 0)
        served[problem] = k + 1
        text, stop = by_problem[problem][k]
        out = ModelOutput.from_content("mockllm/model", text, stop_reason=stop)
        # Usage given, so the mock does not count tokens with tiktoken (a download). Word counts;
        # the truncated response reports max_tokens, as a real stop by the limit would.
        used = 64 if stop == "max_tokens" else len(text.split())
        words = len(prompt.split())
        out.usage = ModelUsage(input_tokens=words, output_tokens=used, total_tokens=words + used)
        return out

    dataset = json_dataset(str(subset), FieldSpec(input="problem", target="answer", id="id"))
    task = Task(dataset=dataset, solver=aime_solver(), scorer=aime_scorer(), name="aime2024")
    model = get_model("mockllm/model", custom_outputs=respond)
    (log,) = eval(
        task, model=model, epochs=2, max_samples=1, log_dir=log_dir, log_format="eval",
        display="none", temperature=0.6, top_p=0.95, max_tokens=64,
    )  # fmt: skip
    assert log.status == "success", log.error
    print(log.location)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
