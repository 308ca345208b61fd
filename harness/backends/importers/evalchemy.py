r"""``backend.format=evalchemy``: evalchemy's per-sample generation data set (parquet, JSONL).

Writer: mlfoundations/evalchemy at commit 6ed67415 (not on PyPI). Its distributed pipeline
(``eval/distributed/launch.py``) builds the requests with ``eval/chat_benchmarks/
upload_to_hf_lm.py`` (``UploadInstancesToHF.generate_until``): one row per request with
``context`` (the chat messages), ``gen_kwargs`` (``temperature``, ``max_new_tokens``, ``seed``,
``do_sample``), ``repeat_idx`` (which of the task's ``n_repeat`` repetitions), ``request_idx``,
``task_name`` (``AIME24``, ``AIME25``, ``MATH500``) and ``metadata`` (``problem_id``,
``expected_answer``, ``reference_solution``: evalchemy's own ids, such as ``aime24-0``).
``eval/distributed/process_shard.py`` generates with vLLM and adds ``model_outputs`` (the text of
the first output), then pushes the shard to ``mlfoundations-dev/<model>_eval_<hash>`` on the hub
(``train-<rank>-of-<size>.parquet``). Those rows hold no verdict (evalchemy scores later, with
``hendrycks_math``'s ``is_equiv`` on the last box) and no finish reason or token count.

Problems are matched by the problem text inside the user message (``backend.match=problem_text``:
the message holds evalchemy's ``Problem: …\nMark your solution with \boxed`` template around it);
``repeat_idx`` is the sample index.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.backends.importers.base import LogFormat, Peek, ReadContext
from harness.backends.importers.rows import ImportedLog, LogImportError, LogRow, distinct
from harness.backends.importers.tool_rows import (
    compact,
    decoded,
    row_keys,
    table_rows,
    think_notes,
)

COLUMNS = {"context", "gen_kwargs", "repeat_idx", "task_name", "metadata", "model_outputs"}


def _user_text(context: Any) -> str | None:
    messages = decoded(context)
    if isinstance(messages, list):
        users = [
            m.get("content") for m in messages if isinstance(m, Mapping) and m.get("role") == "user"
        ]
        return users[-1] if users and isinstance(users[-1], str) else None
    return messages if isinstance(messages, str) else None


def read(path: Path, context: ReadContext) -> ImportedLog:
    """Read an evalchemy generation data set shard.

    Raises:
        LogImportError: A row lacks evalchemy's columns or its ``model_outputs`` text.
    """
    rows: list[LogRow] = []
    kwargs: list[Any] = []
    tasks: list[Any] = []
    for number, rec in table_rows(path):
        missing = COLUMNS - set(rec)
        if missing:
            raise LogImportError(
                f"{path}: row {number} lacks evalchemy's {', '.join(sorted(missing))}; "
                "use backend.format=jsonl with backend.fields.* instead"
            )
        text, repeat = rec["model_outputs"], rec["repeat_idx"]
        if not isinstance(text, str) or not isinstance(repeat, int):
            raise LogImportError(
                f"{path}: row {number}: model_outputs must be a string, repeat_idx an integer"
            )
        gen = decoded(rec["gen_kwargs"]) or {}
        kwargs.append(
            {k: v for k, v in gen.items() if k != "seed"} if isinstance(gen, Mapping) else gen
        )
        tasks.append(rec["task_name"])
        prompt = _user_text(rec["context"])
        rows.append(
            LogRow(line=number, response=text, sample_index=repeat, problem=prompt, prompt=prompt)
        )
    origin = compact(
        {
            "tool": "evalchemy",
            "task": distinct(tasks),
            "gen_kwargs": distinct(kwargs),
            "repeats": len({r.sample_index for r in rows}),
        }
    )
    notes = (
        "evalchemy's generation rows hold no finish reason and no token counts: truncated "
        "responses cannot be told apart, and they hold no verdict of evalchemy's own",
        *think_notes(rows),
    )
    return ImportedLog("evalchemy", tuple(rows), origin, notes)


def sniff(peek: Peek) -> str | None:
    """The evalchemy columns, in a parquet shard or in the first line of a JSONL file."""
    if row_keys(peek) >= COLUMNS:
        return "rows hold context, gen_kwargs, repeat_idx, task_name and model_outputs (evalchemy)"
    return None


FORMAT = LogFormat(
    name="evalchemy",
    reads="evalchemy's generation data set (parquet or JSONL rows: context, gen_kwargs, "
    "repeat_idx, task_name, metadata, model_outputs)",
    sniff=sniff,
    read=read,
    tool="evalchemy",
)
