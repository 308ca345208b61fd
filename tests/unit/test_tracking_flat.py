from harness.tracking.trackers import flat_metrics


def test_flat_metrics_carries_intervals_levels_and_accounting():
    metrics = {
        "metrics": {"pass@1": {"value": 50.0, "ci95": [40.0, 60.0]}},
        "n_problems": 30,
        "by_level": {"1": {"pass@1": {"value": 80.0, "ci95": [70.0, 90.0]}}},
        "generation": {"generated_tokens": 1000, "notes": ["x"]},
        "accounting": {"gpu_hours": 0.5, "gpu_type": "H100", "estimated_cost_usd": 1.5},
        "graders": {"primary": "math_verify"},
    }
    flat = flat_metrics(metrics)
    assert flat["pass@1"] == 50.0 and (flat["pass@1/ci95_lo"], flat["pass@1/ci95_hi"]) == (
        40.0,
        60.0,
    )
    assert flat["n_problems"] == 30 and flat["by_level/1/pass@1"] == 80.0
    assert flat["generation/generated_tokens"] == 1000 and flat["accounting/gpu_hours"] == 0.5
    assert "accounting/gpu_type" not in flat and "generation/notes" not in flat
