"""The property suite's Hypothesis profile and the fixtures it shares.

Profile ``ci`` (loaded here, so ``pytest tests/property`` uses it): few examples, derandomized
(the same examples on every run and machine, so a failure reproduces), no deadline (the machine
is shared and an in-process CLI call takes ~1 s). ``HYPOTHESIS_PROFILE=long`` explores more.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Sized so the whole suite stays under 2 minutes on 2 CPU cores (README: Development).
settings.register_profile(
    "ci",
    max_examples=12,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long", parent=settings.get_profile("ci"), max_examples=200, derandomize=False
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
