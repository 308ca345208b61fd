"""The text ``harness-compare`` prints: both runs, the difference, the items table."""

from __future__ import annotations

from typing import Any

from harness.compare.categories import CATEGORIES
from harness.compare.tool import render as render_tool


def _run_line(tag: str, side: dict[str, Any]) -> str:
    p1 = side["pass@1"]
    lo, hi = p1["ci95"]
    flo, fhi = p1["ci95_fixed_set"]
    conv = side["grading_convention"]
    return (
        f"{tag}  {side['run']}  ({side['model']}, {side['benchmark']}), "
        f"n={side['n_problems']} problems x k={side['n_samples']} samples, graded "
        f"answer_region={conv['answer_region']}, truncated={conv['truncated']}\n"
        f"   pass@1 {p1['value']:6.2f}   95% CI [{lo:.2f}, {hi:.2f}]   "
        f"fixed set [{flo:.2f}, {fhi:.2f}]"
    )


def _answer(value: Any) -> str:
    text = "-" if value is None else str(value)
    return text if len(text) <= 18 else text[:15] + "..."


def render(result: dict[str, Any], show: int = 20) -> str:
    """Human-readable summary of ``compare_runs``'s result.

    Args:
        result: What ``compare_runs`` returned.
        show: Items listed at most (all of them are in compare.json).
    """
    diff, shared = result["diff"], result["diff"]["shared"]
    fs, gen = shared["fixed_set"], shared["generalisation"]
    lines = [_run_line("A", result["a"]), _run_line("B", result["b"]), ""]
    lines.append(
        f"A - B  pass@1 difference {diff['pass@1']:+.2f} points, paired on the "
        f"{shared['n_problems']} shared problems x {shared['n_samples']} shared samples"
    )
    lines.append(
        f"   fixed set (problems fixed, samples random):  95% CI "
        f"[{fs['ci95'][0]:+.2f}, {fs['ci95'][1]:+.2f}]  SE {fs['se']:.2f}"
    )
    lines.append(
        f"   generalisation (paired problem bootstrap, B={gen['resamples']}):  95% CI "
        f"[{gen['ci95'][0]:+.2f}, {gen['ci95'][1]:+.2f}]"
    )
    un = diff["unshared"]
    if un["a_only"] or un["b_only"]:
        lines.append(
            f"   unshared samples, left out of the paired difference: {un['a_only']} in A only, "
            f"{un['b_only']} in B only; the runs' own pass@1 differ by {diff['unpaired']:+.2f} "
            f"({un['effect']:+.2f} from the unshared samples)"
        )
    items = result["items"]
    lines += [
        "",
        f"shared items that differ: {len(items)}",
        f"   {'category':<20}{'items':>6}  effect",
    ]
    for c in CATEGORIES:
        lines.append(f"   {c:<20}{result['categories'][c]:>6}  {result['effects'][c]:+7.2f}")
    total = sum(result["effects"].values())
    lines.append(f"   {'total':<20}{len(items):>6}  {total:+7.2f}  (= the paired A - B)")
    if items:
        lines += [
            "",
            f"   {'problem_id':<32}{'k':>3}  A  B  {'category':<19}{'A answer':<19}B answer",
        ]
        for i in items[:show]:
            mark = {True: "1", False: "0", None: "-"}
            lines.append(
                f"   {i['problem_id'][:31]:<32}{i['sample_index']:>3}  "
                f"{mark[i['a_correct']]}  {mark[i['b_correct']]}  {i['category']:<19}"
                f"{_answer(i['a_answer']):<19}{_answer(i['b_answer'])}"
            )
        if len(items) > show:
            lines.append(f"   ... {len(items) - show} more in compare.json")
    for tag, summary in (result.get("tool") or {}).items():
        lines += render_tool(tag.upper(), summary, show)
    return "\n".join(lines)
