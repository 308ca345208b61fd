r"""Write a run directory.

Files: config.yaml, samples.jsonl, disagreements.jsonl, metrics.json, provenance.json. Every
file goes through ``redact`` and is written atomically (temp + rename), so a killed run never
leaves a half-written JSON file behind. Text is surrogate-safe: a lone surrogate (valid in
JSON, not in UTF-8) is written as its JSON escape ``\udXXX``, which reads back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from harness.grading.flags import is_looping
from harness.store.atomic import atomic_write, write_text
from harness.store.secrets import redact, secret_values
from harness.types import Completion, GradedSample

SAMPLES = "samples.jsonl"
DISAGREEMENTS = "disagreements.jsonl"
METRICS = "metrics.json"
PROVENANCE = "provenance.json"
CONFIG = "config.yaml"


def completion_record(c: Completion) -> dict[str, Any]:
    """A completion as a JSON row (the replay format, with its optional keys).

    ``tool_verdict`` (an imported log's own verdict) is written only when there is one.
    """
    row = {
        "problem_id": c.problem_id,
        "sample_index": c.sample_index,
        "response": c.response,
        "finish_reason": c.finish_reason,
        "prompt": c.prompt,
        "n_prompt_tokens": c.n_prompt_tokens,
        "n_generated_tokens": c.n_generated_tokens,
    }
    if c.tool_verdict is not None:
        row["tool_verdict"] = asdict(c.tool_verdict)
    return row


def sample_record(sample: GradedSample) -> dict[str, Any]:
    """One samples.jsonl row: the completion, the primary answer and every grader's verdict."""
    return {
        **completion_record(sample.completion),
        "extracted_answer": sample.extracted,
        "correct": sample.correct,
        "vote_group": sample.vote_group,
        "looping": is_looping(sample.completion.response),  # harness/grading/flags.py
        "verdicts": {
            v.grader: {"extracted": v.extracted, "correct": v.correct, "status": v.status}
            for v in sample.verdicts
        },
    }


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as JSON Lines (secrets redacted) atomically; return the row count."""
    secrets = secret_values()
    lines = [json.dumps(redact(row, secrets), ensure_ascii=False) for row in rows]
    atomic_write(path, "".join(line + "\n" for line in lines))
    return len(lines)


def write_json(path: Path, obj: Any) -> None:
    """Write one JSON document (secrets redacted) atomically."""
    atomic_write(path, json.dumps(redact(obj), indent=2, ensure_ascii=False) + "\n")


def write_samples(run_dir: Path, samples: Sequence[GradedSample], gold: dict[str, str]) -> int:
    """Write samples.jsonl and disagreements.jsonl; return the number of disagreements."""
    write_jsonl(run_dir / SAMPLES, (sample_record(s) for s in samples))
    return write_disagreements(run_dir, samples, gold)


def write_disagreements(
    run_dir: Path, samples: Sequence[GradedSample], gold: dict[str, str]
) -> int:
    """Write disagreements.jsonl (the samples the two graders disagree on); return their count."""
    rows = []
    for s in samples:
        if s.disagreement:
            row = sample_record(s)
            row["gold"] = gold[s.completion.problem_id]
            row["response_tail"] = row.pop("response")[-2000:]  # the part the graders read
            row.pop("prompt")
            rows.append(row)
    write_jsonl(run_dir / DISAGREEMENTS, rows)
    return len(rows)


def scrub_tree(folder: Path) -> None:
    """Redact secrets in place in every text file under ``folder``.

    Hydra's ``.hydra/`` files record the raw command-line overrides, so a key pasted into an
    override would otherwise land there.
    """
    secrets = secret_values()
    if not secrets or not folder.is_dir():
        return
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in {".yaml", ".yml", ".json", ".log", ".txt"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            clean = redact(text, secrets)
            if clean != text:
                atomic_write(path, clean)


def begin_run(cfg: Any, run_dir: Path, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Start writing a run directory; call it only once the start checks have passed.

    Removes the completion marker (the run's files are about to change), starts the run's log
    file, writes ``.hydra/`` (redacted) and the resolved ``config.yaml``, and redacts the sweep's
    ``multirun.yaml``.

    Args:
        cfg: The composed run config (an OmegaConf DictConfig).
        run_dir: The run directory.
        config: The config as the run records it (default: ``cfg`` resolved).

    Returns:
        The recorded config as a plain dict (for the tracker).
    """
    from omegaconf import OmegaConf

    from harness.store import hydra_files, run_log
    from harness.store.run_dir import clear_complete

    run_dir.mkdir(parents=True, exist_ok=True)
    clear_complete(run_dir)
    run_log.activate()
    hydra_files.save_hydra_files(cfg, run_dir)
    hydra_files.scrub_multirun_yaml()
    scrub_tree(run_dir / ".hydra")  # when a user sets hydra.output_subdir, Hydra wrote them
    if config is None:
        config = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    write_text(run_dir / CONFIG, OmegaConf.to_yaml(config))
    return config
