"""OpenCompass's predictions JSON, written in the test the way its writer code does.

OpenCompass is not installed here (beyond CI's budget), so the file follows
``open-compass/opencompass`` at commit 3ce9b0a4,
``opencompass/openicl/icl_inferencer/icl_base_inferencer.py``: ``GenInferencerOutputHandler``
keeps ``{str(idx): {"origin_prompt", "prediction", "gold"}}`` and ``write_to_json`` dumps it
with ``json.dump(indent=4, ensure_ascii=False)`` into ``predictions/<model>/<dataset>.json``;
the summariser's ``results/<model>/<dataset>.json`` beside it holds the score. Our verdicts on
the import equal our grading of the same texts in our own replay format.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.backends.importers import detect
from harness.backends.replay import ReplayBackend
from harness.data.loader import load_benchmark
from harness.grading.convention import R1
from harness.models.tiny import bundled_problems_file
from harness.pipeline import grade
from tests.conftest import compose

AIME = bundled_problems_file("aime24")
TEXTS = [
    ["<think>Speeds.</think>\nSo $\\boxed{204}$.", "<think>Speeds; so $\\boxed{204}$."],
    ["<think>Power of a point.</think> $\\boxed{113}$", "<think>Cut off mid-"],
    ["<think>Count.</think>\n$\\boxed{5}$", "<think>Count.</think>\n$\\boxed{371}$"],
]  # fmt: skip


def write_predictions(root: Path, problems) -> Path:
    """The predictions file as GenInferencerOutputHandler writes it (chat prompt, n=2)."""
    results = {
        str(i): {
            "origin_prompt": [
                {"role": "HUMAN", "prompt": f"{p.question}\nPut your answer in \\boxed{{}}."}
            ],
            "prediction": TEXTS[i],
            "gold": p.gold,
        }
        for i, p in enumerate(problems)
    }
    path = (
        root
        / "outputs"
        / "default"
        / "20261201_000000"
        / "predictions"
        / "tiny-r1"
        / "aime2024.json"
    )
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=4, ensure_ascii=False)
    scores = Path(str(path).replace("/predictions/", "/results/"))
    scores.parent.mkdir(parents=True)
    scores.write_text(json.dumps({"accuracy": 50.0, "details": {}}), encoding="utf-8")
    return path


def _graded(cfg, problems, path: Path, fmt: str):
    b = ReplayBackend(str(path), benchmark=cfg.benchmark, format=fmt)
    out = b.generate(problems, all_ids={p.id for p in problems}, n=2)
    graded = grade(
        problems, out.completions, reasoning=True, timeout_s=5.0, workers=1, convention=R1
    )
    return b, out, [(s.completion.problem_id, s.completion.sample_index, s.completion.response,
                     s.correct, s.extracted) for s in graded]  # fmt: skip


def test_opencompass_predictions_import_like_our_replay(tmp_path):
    cfg = compose(["benchmark=aime24", f"benchmark.source={AIME}"])
    problems, _ = load_benchmark(cfg.benchmark, limit=3)
    path = write_predictions(tmp_path, problems)
    assert detect(path, {})[0] == "opencompass"
    ours = tmp_path / "ours.jsonl"
    ours.write_text("".join(
        json.dumps({"problem_id": p.id, "sample_index": j, "response": t}) + "\n"
        for p, texts in zip(problems, TEXTS, strict=True) for j, t in enumerate(texts)
    ))  # fmt: skip
    b, out, imported = _graded(cfg, problems, path, "auto")
    _, _, replayed = _graded(cfg, problems, ours, "replay")
    assert imported == replayed and len(imported) == 6
    assert [v[3] for v in imported] == [True, False, True, False, False, True]
    assert {c.finish_reason for c in out.completions} == {"unknown"}
    assert "no finish reason" in out.stats["notes"][0]
    origin = b.provenance()["origin"]
    assert origin == {"tool": "opencompass", "task": "aime2024", "model": "tiny-r1",
                      "score": {"metric": "accuracy", "value": 50.0}}  # fmt: skip
