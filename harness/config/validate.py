"""Value checks of the composed run config that the typed schema cannot express.

The schema (``harness/config/schema.py``) fixes keys and types; these fix ranges. They run as
soon as the config is composed (``harness-eval`` before anything is read or written,
``compose_config`` for tools), so ``limit=-5`` fails at once, naming the key, instead of scoring
495 problems, and ``stats.confidence=1.5`` fails before generation instead of after grading.
"""

from __future__ import annotations

from typing import Any

from harness.errors import HarnessError
from harness.store.run_dir import check_plain_name
from harness.store.secrets import redact


class ConfigValueError(HarnessError):
    """A config value is out of its range; the message names the key and the fix."""


def _rule(key: str, value: Any, ok: bool, want: str) -> None:
    if not ok:
        raise ConfigValueError(f"{key}={value!r} is out of range: {want}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_values(cfg: Any) -> None:
    """Check the ranges of the run settings and that ``run_id`` is a plain name.

    Args:
        cfg: The composed run config.

    Raises:
        ConfigValueError: Naming the first key out of range.
        RunDirError: ``run_id`` is not a plain name.
    """
    limit = cfg.get("limit")
    _rule("limit", limit, limit is None or (_is_int(limit) and limit >= 1),
          "set limit ≥ 1, or limit=null for every problem")  # fmt: skip
    sampling = cfg.sampling
    _rule("sampling.n", sampling.n, _is_int(sampling.n) and sampling.n >= 1,
          "at least 1 sample per problem")  # fmt: skip
    if "temperature" in sampling:
        t = sampling.temperature
        _rule("sampling.temperature", t, _is_number(t) and t >= 0, "≥ 0 (0 = greedy)")
    if "top_p" in sampling:
        p = sampling.top_p
        _rule("sampling.top_p", p, _is_number(p) and 0 < p <= 1, "in (0, 1]")
    if "max_new_tokens" in sampling:
        m = sampling.max_new_tokens
        _rule("sampling.max_new_tokens", m, _is_int(m) and m >= 1, "≥ 1")
    if sampling.get("ignore_eos"):
        _rule("sampling.ignore_eos", True, cfg.backend.name == "vllm",
              "a benchmark knob of backend=vllm only; set sampling.ignore_eos=false")  # fmt: skip
    stats = cfg.stats
    c = stats.confidence
    _rule("stats.confidence", c, _is_number(c) and 0 < c < 1,
          "a probability strictly between 0 and 1, e.g. 0.95")  # fmt: skip
    b = stats.bootstrap_resamples
    _rule("stats.bootstrap_resamples", b, _is_int(b) and b >= 1,
          "≥ 1 (2000 is the default)")  # fmt: skip
    grading = cfg.grading
    t = grading.timeout_s
    _rule("grading.timeout_s", t, _is_number(t) and t > 0, "seconds > 0 (5 is the default)")
    w = grading.workers
    _rule("grading.workers", w, w is None or (_is_int(w) and w >= 1),
          "≥ 1, or null for one per core")  # fmt: skip
    analysis = cfg.get("analysis")
    budgets = analysis.get("budgets") if analysis is not None else None
    for i, budget in enumerate(budgets or ()):
        # budget_curve used to drop these silently; a curve point needs a positive token count
        _rule(f"analysis.budgets[{i}]", budget, _is_int(budget) and budget >= 1,
              "token budgets ≥ 1, e.g. analysis.budgets=[1024,4096]")  # fmt: skip
    check_plain_name("run_id", cfg.run_id)
    if redact(str(cfg.run_id)) != str(cfg.run_id):
        raise ConfigValueError(
            "run_id holds a credential (the value of a KEY/TOKEN/… environment variable): it "
            "would become a folder name and a W&B run name; choose another run_id"
        )
