"""Through the real CLI: logs that once gave a wrong number with exit code 0, or a traceback, now
give the right number or exit non-zero with a one-line error naming the file (issue 19).

The unit tests (``tests/unit/test_import_verify.py``) cover every case on the backend; these run
the cases a user would meet first through ``harness-eval``'s own entry point (in this process,
``tests/helpers/eval_inproc.py``: what it prints and its exit status, as a user sees them).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.conftest import data_file
from tests.helpers import eval_inproc as inproc

T = "<think>\nWorking.\n</think>\n\n"
DATE = "2025-01-01T00-00-00.000000"


def harness_eval(tmp: Path, path: Path, *extra: str) -> inproc.Result:
    """``harness-eval`` in this process (``tests/helpers/eval_inproc.py``)."""
    return inproc.harness_eval(
        f"benchmark.source={data_file('math500')}", "backend=replay", f"backend.path={path}",
        "sampling.n=1", "grading.workers=1", f"results_dir={tmp / 'results'}", *extra,
    )  # fmt: skip


def refused(out: inproc.Result, path: Path) -> str:
    """The run exited non-zero with one ``error:`` line naming the file, and no traceback."""
    assert out.returncode != 0, out.stdout[-2000:]
    assert "Traceback" not in out.stderr + out.stdout, out.stderr[-3000:]
    errors = [line for line in out.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and str(path) in errors[0], out.stderr[-3000:]
    return errors[0]


def jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def lines(name: str) -> list[dict]:
    text = data_file(name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def lm_eval_line(doc_id: int, doc: dict, prompt: str, response: str) -> dict:
    args = {"gen_args_0": {"arg_0": prompt, "arg_1": {"until": []}}}
    return {"doc_id": doc_id, "doc": doc, "arguments": args, "resps": [[response]],
            "filtered_resps": [response], "filter": "none"}  # fmt: skip


def test_a_gsm8k_lm_eval_log_replayed_as_math500_is_refused(tmp_path):
    """Once: pass@1 0.00 [0.00, 0.00], exit 0, no warning."""
    gsm = lines("gsm8k")
    log = jsonl(tmp_path / f"samples_gsm8k_{DATE}.jsonl", [
        lm_eval_line(i, g, f"Question: {g['question']}\nAnswer:", T + "\\boxed{18}")
        for i, g in enumerate(gsm)
    ])  # fmt: skip
    error = refused(harness_eval(tmp_path, log, "limit=20"), log)
    assert "the log's task 'gsm8k' (lm-eval) is gsm8k, not benchmark=math500" in error


def test_math_documents_without_ids_in_another_order_give_the_true_number(tmp_path):
    """Once: every response graded against another problem (pass@1 0.00, true 65.00)."""
    math = lines("math500")
    order = list(range(len(math)))
    random.Random(0).shuffle(order)
    rows = []
    for k, i in enumerate(order):
        doc = {key: v for key, v in math[i].items() if key != "unique_id"}
        answer = doc["answer"] if i < 65 else "wrong"
        rows.append(lm_eval_line(k, doc, doc["problem"], T + f"\\boxed{{{answer}}}"))
    log = jsonl(tmp_path / f"samples_minerva_math500_{DATE}.jsonl", rows)
    out = harness_eval(tmp_path, log, "run_id=order")
    assert out.returncode == 0, out.stderr[-3000:]
    metrics = json.loads((tmp_path / "results" / "order" / "metrics.json").read_text())
    assert metrics["metrics"]["pass@1"]["value"] == pytest.approx(65.0)
    assert not any("position" in note for note in metrics["notes"])


@pytest.mark.parametrize("case", ["negative_tokens", "text_tokens", "latin1"])
def test_bad_values_and_bytes_are_refused_before_grading(tmp_path, case):
    """Once: -5 gave rc 0 and "mean length -5 tokens"; "lots" and a latin-1 byte tracebacks."""
    rows = [
        {"problem_id": m["unique_id"], "response": T + f"\\boxed{{{m['answer']}}}",
         "finish_reason": "stop", "n_generated_tokens": -5 if case == "negative_tokens" else 9}
        for m in lines("math500")
    ]  # fmt: skip
    if case == "text_tokens":
        rows[6]["n_generated_tokens"] = "lots"
    log = jsonl(tmp_path / "replay.jsonl", rows)
    if case == "latin1":
        data = log.read_bytes()
        cut = data.index(b"\n") + 1 + 25
        log.write_bytes(data[:cut] + "é".encode("latin-1") + data[cut + 1 :])
    error = refused(harness_eval(tmp_path, log), log)
    bad = "rows hold values that cannot be used"
    expected = {
        "negative_tokens": f"100 {bad} (line 1: n_generated_tokens=-5, line 2: n_generated",
        "text_tokens": f"1 {bad} (line 7: n_generated_tokens='lots')",
        "latin1": "replay.jsonl:2: not UTF-8 text (byte 0xe9 at byte 26 of the line)",
    }[case]
    assert expected in error
