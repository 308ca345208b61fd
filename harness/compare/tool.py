"""Where an imported log's own verdicts differ from ours, and why: the tool-vs-ours section.

Every format whose log holds the tool's per-sample verdict puts it in ``LogRow.tool_verdict``;
it reaches ``samples.jsonl`` as the ``tool_verdict`` key. This module reads those rows (the same
for every tool) and says how many samples the tool graded differently from us, one category
per sample, the first rule that holds:

1. ``truncated``: we counted it wrong because the token limit stopped it
   (``grading.truncated=wrong``); the tool graded the text.
2. ``answer_in_think``: the text never closes its reasoning, or its last box lies inside it,
   so our answer region (``after_think``) and a tool reading the whole text disagree.
3. ``extraction``: the tool logged an answer and it is not the one we extracted.
4. ``equivalence``: the same answer, a different verdict (another equivalence check or gold).
5. ``unexplained``: the tool logged no answer, so the reason cannot be told from its log.

pass@1 of either side is the mean over problems of the per-problem mean correctness (R1 paper),
over the samples that hold a tool verdict.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from harness.compare.categories import box_in_think

TOOL_CATEGORIES = ("truncated", "answer_in_think", "extraction", "equivalence", "unexplained")
_BOXED = re.compile(r"^\\boxed\{(.*)\}$", re.S)


def _plain(answer: Any) -> str | None:
    """An answer without surrounding ``$``, a ``boxed`` command and spaces (to compare two)."""
    if answer is None:
        return None
    text = str(answer).strip().strip("$").strip()
    m = _BOXED.match(text)
    return (m.group(1) if m else text).replace(" ", "")


def tool_category(row: Mapping[str, Any]) -> str:
    """The category of a ``samples.jsonl`` row whose tool verdict differs from ours (docstring).

    Args:
        row: A ``samples.jsonl`` row with ``tool_verdict``, ``correct``, ``extracted_answer``
            and ``verdicts``.
    """
    tv = row.get("tool_verdict") or {}
    primary = next(iter((row.get("verdicts") or {}).values()), {})
    status = primary.get("status")
    if status == "truncated":
        return "truncated"
    if status == "unclosed_think" or box_in_think(str(row.get("response") or "")):
        return "answer_in_think"
    if tv.get("answer") is None:
        return "unexplained"
    if _plain(tv.get("answer")) != _plain(row.get("extracted_answer")):
        return "extraction"
    return "equivalence"


def _pass_at_1(pairs: Sequence[tuple[str, bool]]) -> float:
    by_problem: dict[str, list[bool]] = {}
    for pid, ok in pairs:
        by_problem.setdefault(pid, []).append(ok)
    return 100.0 * sum(sum(v) / len(v) for v in by_problem.values()) / len(by_problem)


def tool_agreement(
    rows: Sequence[Mapping[str, Any]], origin: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The tool-vs-ours summary of a run's ``samples.jsonl`` rows (None: no tool verdicts).

    Args:
        rows: The run's samples.jsonl rows.
        origin: ``provenance.backend.origin`` (its ``score``: the tool's own reported number).

    Returns:
        ``{"tool", "n_samples", "n_with_verdict", "n_differ", "categories", "pass@1",
        "tool_reported", "items"}``; pass@1 values in percent over the samples with a verdict.
    """
    judged = [r for r in rows if isinstance((r.get("tool_verdict") or {}).get("correct"), bool)]
    if not judged:
        return None
    items = []
    for r in judged:
        tv = r["tool_verdict"]
        if tv["correct"] == bool(r.get("correct")):
            continue
        items.append(
            {
                "problem_id": str(r["problem_id"]),
                "sample_index": r["sample_index"],
                "tool_correct": tv["correct"],
                "our_correct": bool(r.get("correct")),
                "tool_answer": tv.get("answer"),
                "our_answer": r.get("extracted_answer"),
                "category": tool_category(r),
            }
        )
    tools = sorted({str(r["tool_verdict"].get("tool")) for r in judged})
    ok = judged
    return {
        "tool": ", ".join(tools),
        "n_samples": len(rows),
        "n_with_verdict": len(judged),
        "n_differ": len(items),
        "categories": {c: sum(i["category"] == c for i in items) for c in TOOL_CATEGORIES},
        "pass@1": {
            "tool": _pass_at_1([(str(r["problem_id"]), r["tool_verdict"]["correct"]) for r in ok]),
            "ours": _pass_at_1([(str(r["problem_id"]), bool(r.get("correct"))) for r in ok]),
            "estimator": "mean over problems of the per-problem mean correctness, over the "
            "samples that hold a tool verdict",
        },
        "tool_reported": (origin or {}).get("score"),
        "items": items,
    }


def note(summary: Mapping[str, Any]) -> str:
    """One line for a run's notes: ``inspect-ai graded 3 of 20 samples differently (…)``."""
    why = ", ".join(f"{n} {c}" for c, n in summary["categories"].items() if n)
    p1 = summary["pass@1"]
    return (
        f"{summary['tool']} graded {summary['n_differ']} of {summary['n_with_verdict']} samples "
        f"differently from us" + (f" ({why})" if why else "") + f"; its pass@1 {p1['tool']:.2f} "
        f"vs ours {p1['ours']:.2f} on the same samples (harness-compare lists them)"
    )


def _reported(score: Any) -> str:
    """``origin.score`` in words: ``aime_scorer accuracy = 0.667`` (a mapping) or the value."""
    if not isinstance(score, Mapping):
        return str(score)
    name = " ".join(str(score[k]) for k in ("scorer", "metric") if score.get(k))
    value = score.get("value")
    shown = f"{value:.4g}" if isinstance(value, float) else str(value)
    return f"{name} = {shown}" if name else shown


def render(tag: str, summary: Mapping[str, Any], show: int = 20) -> list[str]:
    """The lines ``harness-compare`` prints for one run's tool-vs-ours section."""
    p1 = summary["pass@1"]
    reported = summary.get("tool_reported")
    lines = [
        "",
        f"{tag}: {summary['tool']}'s own verdicts vs ours, on {summary['n_with_verdict']} samples",
        f"   pass@1 {summary['tool']} {p1['tool']:6.2f}   ours {p1['ours']:6.2f}"
        + (f"   (its log reports {_reported(reported)})" if reported is not None else ""),
        f"   graded differently: {summary['n_differ']}",
    ]
    lines += [f"   {c:<20}{n:>6}" for c, n in summary["categories"].items()]
    for i in summary["items"][:show]:
        mark = {True: "1", False: "0"}
        lines.append(
            f"   {i['problem_id'][:31]:<32}{i['sample_index']:>3}  tool {mark[i['tool_correct']]} "
            f"ours {mark[i['our_correct']]}  {i['category']:<16}{str(i['tool_answer'])[:18]:<19}"
            f"{str(i['our_answer'])[:18]}"
        )
    return lines
