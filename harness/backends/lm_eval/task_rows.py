"""lm-eval's logged samples and results as the harness's samples.jsonl rows and metrics.json.

lm-eval logs one sample per (document, filter); ``to_rows`` folds them into one row per
(document, repeat): ``problem_id`` (lm-eval's doc id), ``sample_index`` (the repeat), the raw
``response``, ``finish_reason`` and ``n_generated_tokens`` (``finish_info``), ``prompt``,
``target``, ``filtered`` (each filter's output), ``metrics`` (``"<metric>,<filter>"`` values),
and the keys trackers read: ``extracted_answer`` (the first filter's output) and ``correct``
(the first metric under the first filter equals 1; None for metrics that are not proportions).
"""

from __future__ import annotations

import hashlib
from typing import Any

from harness.backends.lm_eval.backend import finish_info

# lm-eval metrics that are proportions in [0, 1]: shown in percent like the harness's own.
PROPORTIONS = frozenset(
    {"acc", "acc_norm", "acc_mutual_info", "exact_match", "em", "f1", "pass@1", "pass_at_1"}
)
NO_ANSWER = frozenset({"", "[invalid]"})  # what lm-eval's regex filter returns on no match
Z95 = 1.96


def _pick(value: Any, i: int) -> Any:
    """The ``i``-th repeat's value when a filter kept every repeat, else the one value."""
    return value[i] if isinstance(value, list | tuple) and len(value) > i else value


def to_rows(
    samples: list[dict[str, Any]], recorder: Any, tokenizer: Any, max_new: int
) -> list[dict[str, Any]]:
    """samples.jsonl rows from lm-eval's logged samples of one task (see the module docstring)."""
    by_doc: dict[Any, list[dict[str, Any]]] = {}
    for s in samples:
        by_doc.setdefault(s["doc_id"], []).append(s)
    rows = []
    for doc_id, entries in by_doc.items():
        first = entries[0]
        texts = [t for r in first["resps"] for t in (r if isinstance(r, list) else [r])]
        primary = f"{first['metrics'][0]},{first['filter']}" if first["metrics"] else None
        for i, text in enumerate(texts):
            n_gen, finish = finish_info(recorder, tokenizer, text, max_new)
            filtered = {e["filter"]: _pick(e["filtered_resps"][0], i) for e in entries}
            values = {f"{m},{e['filter']}": e.get(m) for e in entries for m in e["metrics"]}
            value = values.get(primary)
            prop = primary is not None and primary.split(",")[0] in PROPORTIONS
            args = first["arguments"][0] if first["arguments"] else [""]
            rows.append(
                {
                    "problem_id": str(doc_id),
                    "sample_index": i,
                    "response": text,
                    "finish_reason": finish,
                    "n_generated_tokens": n_gen,
                    "prompt": str(args[0]),
                    "target": first["target"],
                    "extracted_answer": filtered[first["filter"]],
                    "correct": bool(value == 1) if prop and value is not None else None,
                    "filtered": filtered,
                    "metrics": values,
                    "doc_hash": first.get("doc_hash"),
                }
            )
    return rows


def _metric(task: str, key: str, value: float, stderr: Any) -> dict[str, Any]:
    metric, filt = key.split(",", 1)
    scale = 100.0 if metric in PROPORTIONS else 1.0
    estimator = f"lm-eval {task} {metric}/{filt}"
    if isinstance(stderr, int | float):
        lo, hi = value - Z95 * stderr, value + Z95 * stderr
        estimator += "; ci95 = value ± 1.96·stderr (lm-eval's stderr, normal approximation)"
    else:
        lo = hi = value
        estimator += "; lm-eval gave no stderr: zero-width interval, not a CI"
    return {
        "value": round(value * scale, 4),
        "ci95": [round(lo * scale, 4), round(hi * scale, 4)],
        "estimator": estimator,
        "unit": "percent" if scale == 100.0 else "as lm-eval reports it",
    }


def summarize(out: dict[str, Any], task: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """metrics.json from lm-eval's output for ``task`` and the rows built by ``to_rows``."""
    import lm_eval

    res = out["results"][task]
    metrics = {
        key: _metric(task, key, float(value), res.get(key.replace(",", "_stderr,", 1)))
        for key, value in res.items()
        if "," in key and "_stderr," not in key and isinstance(value, int | float)
    }
    counts = out["n-samples"][task]
    n = max(1, len(rows))
    lengths = [r["n_generated_tokens"] for r in rows]
    tokens = all(x is not None for x in lengths)
    if not tokens:
        lengths = [len(r["response"]) for r in rows]
    docs = "".join(sorted({str(r["doc_hash"]) for r in rows}))
    return {
        "metrics": metrics,
        "n_problems": int(counts["effective"]),
        "n_problems_in_task": int(counts["original"]),
        "n_samples": int(out["configs"][task].get("repeats") or 1),
        "n_shot": out.get("n-shot", {}).get(task),
        "truncated_pct": round(100.0 * sum(r["finish_reason"] == "length" for r in rows) / n, 2),
        "no_answer_pct": round(
            100.0 * sum(str(r["extracted_answer"]).strip() in NO_ANSWER for r in rows) / n, 2
        ),
        "mean_response_length": round(sum(lengths) / n, 1),
        "response_length_unit": "tokens" if tokens else "characters",
        "source": f"lm-eval {lm_eval.__version__} evaluator",
        "docs_sha256": hashlib.sha256(docs.encode()).hexdigest(),
    }
