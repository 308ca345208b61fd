"""``backend.format=inspect``: an inspect-ai log, ``.eval`` (zip) or its ``.json`` form.

Schema of inspect-ai 0.3.285 (PyPI; writer code in ``UKGovernmentBEIS/inspect_ai``,
``src/inspect_ai/log/_log.py``: ``EvalLog``, ``EvalSample``; ``src/inspect_ai/log/_recorders/
eval.py``: the zip layout). Tested on logs that inspect-ai 0.3.285 itself writes
(tests/integration/test_inspect_import.py, with inspect_evals 0.26.0's AIME solver and scorer).

- ``.eval``: a zip whose members ``header.json`` (the ``EvalLog`` without samples: ``eval``,
  ``plan``, ``results``, ``status``) and ``samples/<id>_epoch_<k>.json`` (one ``EvalSample`` each)
  are zstd-compressed (zip method 93) since inspect-ai 0.3.1xx, deflated before; reading zstd needs
  the ``zstandard`` package (``pip install 'r1-harness[logs]'``).
- ``.json`` (``inspect log convert --to json``, or ``log_format="json"``): one document, the
  ``EvalLog`` with its ``samples`` list.

Each ``EvalSample`` is one sample: ``id`` (the dataset's sample id), ``epoch`` (1-based: epoch k
becomes sample_index k−1), ``input`` (the problem text, or chat messages), ``output.choices[0]``
(``message.content``: a string, or parts ``{"type": "text"}`` / ``{"type": "reasoning"}``;
``stop_reason``: ``stop``, ``max_tokens``, ``model_length``, ``content_filter``, …),
``output.usage`` (token counts) and ``scores`` (scorer name → ``Score``: ``value`` ``"C"``/
``"I"``/``"P"``/``"N"`` or a number, ``answer``). The task's headline scorer
(``results.headline.scorer``, else the first of ``eval.scorers``) gives the tool's verdict.
A response split into reasoning and text parts is joined as ``<think>reasoning</think>text``.
"""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.backends.importers.base import LogFormat, Peek
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow
from harness.types import ToolVerdict

TOOL = "inspect-ai"
SAMPLE_MEMBER = re.compile(r"^samples/.+_epoch_(\d+)\.json$")
_ZSTD = 93  # zip compression method of zstd (APPNOTE 4.4.5)
# inspect-ai's StopReason values → ours (inspect_ai/model/_model_output.py)
_STOP = {"stop": "stop", "max_tokens": "length", "model_length": "length",
         "content_filter": "content_filter"}  # fmt: skip
# inspect-ai's Score value constants (inspect_ai/scorer/_metric.py): correct, incorrect,
# partial, no answer
_VALUES = {"C": True, "I": False, "N": False, "P": None}


def _member(path: Path, archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.compress_type != _ZSTD:
        return archive.read(name)
    try:
        import zstandard
    except ImportError:
        raise LogImportError(
            f"{path}: its members are zstd-compressed; pip install 'r1-harness[logs]' "
            "(zstandard) to read inspect-ai .eval logs, or convert it with "
            "`inspect log convert --to json`"
        ) from None
    with path.open("rb") as handle:  # the raw member: local header is 30 bytes + name + extra
        handle.seek(info.header_offset)
        header = handle.read(30)
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        handle.seek(info.header_offset + 30 + name_len + extra_len)
        raw = handle.read(info.compress_size)
    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw), read_across_frames=True)
    return reader.read()


def _load(path: Path) -> tuple[Mapping[str, Any], list[Mapping[str, Any]]]:
    """The log's header and its samples (in file order)."""
    try:
        if path.suffix.lower() != ".eval":
            doc = json.loads(path.read_text(encoding="utf-8"))
            return doc, list(doc.get("samples") or [])
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            header = json.loads(_member(path, archive, "header.json"))
            samples = [
                json.loads(_member(path, archive, n)) for n in names if SAMPLE_MEMBER.match(n)
            ]
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LogImportError(
            f"{path}: not a readable inspect-ai log ({exc}); inspect-ai writes a .eval zip "
            "with header.json and samples/<id>_epoch_<k>.json, or one JSON document"
        ) from None
    return header, samples


def _text(content: Any) -> tuple[str, bool]:
    """The response text, and whether reasoning parts were joined into it."""
    if isinstance(content, str):
        return content, False
    parts = content if isinstance(content, list) else []
    reasoning = "".join(p.get("reasoning") or "" for p in parts if p.get("type") == "reasoning")
    text = "".join(p.get("text") or "" for p in parts if p.get("type") == "text")
    return (f"<think>{reasoning}</think>{text}", True) if reasoning else (text, False)


def _problem(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # chat messages: the last user message
        users = [m for m in value if isinstance(m, Mapping) and m.get("role") == "user"]
        content = users[-1].get("content") if users else None
        return _text(content)[0] if content is not None else None
    return None


def _verdict(scores: Mapping[str, Any], scorer: str | None) -> ToolVerdict | None:
    name = scorer if scorer in scores else next(iter(scores), None)
    score = scores.get(name) if name else None
    if not isinstance(score, Mapping):
        return None
    value = score.get("value")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(value, bool):
        correct: bool | None = value
    elif number:
        correct = bool(value >= 1) if value in (0, 1) else None
    else:
        correct = _VALUES.get(str(value))
    answer = score.get("answer")
    return ToolVerdict(
        tool=TOOL,
        correct=correct,
        answer=str(answer) if answer is not None else None,
        score=float(value) if number else None,
        metric=name,
    )


def _headline(header: Mapping[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    """The scorer that gives the verdict, and the log's own headline score."""
    results = header.get("results") or {}
    spec = header.get("eval") or {}
    head = results.get("headline") or {}
    scorer = head.get("scorer") or next(
        (s.get("name") for s in spec.get("scorers") or [] if s.get("name")), None
    )
    metric = head.get("metric") or "accuracy"
    for entry in results.get("scores") or []:
        if entry.get("name") == (head.get("score") or scorer):
            value = ((entry.get("metrics") or {}).get(metric) or {}).get("value")
            if isinstance(value, int | float):
                over = "problems, each its epochs' scores reduced (mean)"
                return scorer, {"scorer": scorer, "metric": metric, "value": value, "over": over}
    return scorer, None


def _origin(header: Mapping[str, Any]) -> dict[str, Any]:
    spec, plan = header.get("eval") or {}, header.get("plan") or {}
    dataset, config = spec.get("dataset") or {}, spec.get("config") or {}
    sampling = {**(spec.get("model_generate_config") or {}), **(plan.get("config") or {})}
    _, score = _headline(header)
    origin = {
        "tool": TOOL,
        "version": (spec.get("packages") or {}).get("inspect_ai"),
        "packages": spec.get("packages"),
        "task": spec.get("task"),
        "task_version": spec.get("task_version"),
        "task_file": spec.get("task_file"),
        "model": spec.get("model"),
        "model_args": {k: v for k, v in (spec.get("model_args") or {}).items() if v is not None},
        "sampling": sampling,
        "epochs": config.get("epochs"),
        "dataset": {k: dataset.get(k) for k in ("name", "location", "samples") if dataset.get(k)},
        "status": header.get("status"),
        "score": score,
        "created": spec.get("created"),
    }
    return {k: v for k, v in origin.items() if v not in (None, {}, "")}


def read(path: Path) -> ImportedLog:
    """Read an inspect-ai ``.eval`` or ``.json`` log (module docstring).

    Args:
        path: The log file.

    Returns:
        One row per (sample, epoch): epoch k is sample k−1; ``line`` is the sample's position.

    Raises:
        LogImportError: The file is not an inspect-ai log, or a sample lacks its output text.
    """
    header, samples = _load(path)
    if not isinstance(header.get("eval"), Mapping):
        raise LogImportError(f"{path}: no 'eval' section; not an inspect-ai log")
    scorer, _ = _headline(header)
    rows: list[LogRow] = []
    joined = False
    samples = sorted(samples, key=lambda s: (str(s.get("id")), int(s.get("epoch") or 1)))
    for number, sample in enumerate(samples, start=1):
        choices = (sample.get("output") or {}).get("choices") or []
        if not choices:
            err = sample.get("error") or "no output"
            raise LogImportError(
                f"{path}: sample {sample.get('id')!r} epoch {sample.get('epoch')} has no output "
                f"choice ({str(err)[:120]}); re-run it in inspect or drop it from the log"
            )
        text, had_reasoning = _text((choices[0].get("message") or {}).get("content"))
        joined = joined or had_reasoning
        usage = (sample.get("output") or {}).get("usage") or {}
        sid = sample.get("id")
        rows.append(
            LogRow(
                line=number,
                response=text,
                sample_index=int(sample.get("epoch") or 1) - 1,
                finish_reason=_STOP.get(str(choices[0].get("stop_reason")), "unknown"),
                problem_id=None if sid is None else str(sid),
                problem=_problem(sample.get("input")),
                n_prompt_tokens=usage.get("input_tokens"),
                n_generated_tokens=usage.get("output_tokens"),
                tool_verdict=_verdict(sample.get("scores") or {}, scorer),
            )
        )
    notes = [f"inspect-ai's own verdicts (scorer {scorer}) are kept beside ours"]
    if joined:
        notes.append(
            "the log held reasoning and text as separate parts: joined as "
            "<think>reasoning</think>text, so answers are read after the reasoning"
        )
    if header.get("status") not in (None, "success"):
        notes.append(f"the inspect-ai log's status is {header.get('status')!r}, not success")
    return ImportedLog("inspect", tuple(rows), _origin(header), tuple(notes))


def sniff(peek: Peek) -> str | None:
    """A ``.eval`` zip, or a JSON document with inspect-ai's ``eval`` and ``plan`` sections."""
    if peek.suffix == ".eval" and peek.head.startswith(b"PK"):
        return "a .eval zip (inspect-ai log)"
    doc = peek.document
    spec = doc.get("eval") if isinstance(doc, Mapping) else None
    if isinstance(spec, Mapping) and "plan" in doc and {"task", "model"} <= set(spec):
        return "a JSON document with eval.task, eval.model and plan (inspect-ai log)"
    return None


FORMAT = LogFormat(
    name="inspect",
    reads="an inspect-ai log: .eval zip or its .json form (0.3 schema; epochs become samples)",
    sniff=sniff,
    read=lambda path, context: read(path),
    tool=TOOL,
    aliases=("inspect_ai",),
)
