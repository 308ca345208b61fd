"""lighteval custom task: lighteval 0.13's own AIME 2024 task on a local copy of the problems.

The task is ``lighteval.tasks.tasks.aime.aime24`` (its prompt and math metric), its dataset
pointed at the folder in $LIGHTEVAL_DATA (the hub copy is not reachable here), 2 samples per
problem (``pass@k`` with k=1, n=2), 160 new tokens at most.
"""

from __future__ import annotations

import os
from dataclasses import replace

from lighteval.metrics.metrics import Metrics
from lighteval.tasks.tasks.aime import aime24

TASKS_TABLE = [
    replace(
        aime24,
        name="aime24_local",
        hf_repo=os.environ["LIGHTEVAL_DATA"],
        hf_subset="default",
        hf_revision=None,
        generation_size=160,
        metrics=[Metrics.pass_at_k_math(sample_params={"k": 1, "n": 2})],
    )
]
