import json

import numpy as np
import pytest

from harness.metrics import problem_scores, summarize


def matrix(p: int, n: int, c: int) -> tuple[np.ndarray, np.ndarray]:
    """c of n samples correct in every problem; right answers in class 0, wrong ones in 1."""
    correct = np.zeros((p, n), dtype=bool)
    correct[:, :c] = True
    return correct, np.where(correct, 0, 1)


def test_shape_of_metrics_json() -> None:
    correct, groups = matrix(10, 5, 3)
    out = summarize(correct, groups, resamples=200, seed=7)
    assert json.loads(json.dumps(out)) == out  # plain JSON types only
    assert list(out["metrics"]) == ["pass@1", "pass@2", "pass@4", "pass@5", "cons@5"]
    m = out["metrics"]["pass@1"]
    assert set(m) == {
        "value", "ci95", "estimator", "k", "ci95_generalisation", "se_fixed_set", "ci95_fixed_set",
        "fixed_set_estimator",
    }  # fmt: skip
    assert m["ci95"] == m["ci95_generalisation"]
    assert m["estimator"] == "mean correctness over n=5 samples per problem (DeepSeek-R1 paper)"
    assert out["metrics"]["pass@2"]["estimator"] == "unbiased pass@k (Chen et al. 2021), n=5"
    assert out["metrics"]["cons@5"]["estimator"].startswith("majority vote over extracted answers")
    assert out["n_problems"] == 10 and out["n_samples"] == 5
    assert out["by_level"] == {}
    assert out["bootstrap"] == {
        "resamples": 200,
        "seed": 7,
        "unit": "problem",
        "interval": "percentile",
        "confidence": 0.95,
    }


def test_all_correct_is_100_with_degenerate_interval() -> None:
    out = summarize(*matrix(20, 4, 4))
    for m in out["metrics"].values():
        assert m["value"] == 100.0 and m["ci95"] == [100.0, 100.0]


def test_all_wrong_is_0() -> None:
    out = summarize(*matrix(20, 4, 0))
    for m in out["metrics"].values():
        assert m["value"] == 0.0 and m["ci95"] == [0.0, 0.0]


@pytest.mark.parametrize(("n", "c"), [(5, 1), (5, 2), (8, 3), (16, 9)])
def test_c_of_n_correct_everywhere_gives_pass1_c_over_n(n: int, c: int) -> None:
    out = summarize(*matrix(12, n, c))
    assert out["metrics"]["pass@1"]["value"] == round(100 * c / n, 2)
    assert out["metrics"][f"pass@{n}"]["value"] == 100.0
    # right answers are in one class of size c, wrong ones in one class of size n − c
    assert out["metrics"][f"cons@{n}"]["value"] == (100.0 if c > n - c else 0.0)


def test_pass_at_n_is_share_of_problems_with_any_correct() -> None:
    rng = np.random.default_rng(3)
    correct = rng.random((50, 6)) < 0.15
    groups = np.where(correct, 0, 1)
    out = summarize(correct, groups, resamples=100)
    assert out["metrics"]["pass@6"]["value"] == round(100 * correct.any(axis=1).mean(), 2)


def test_values_are_means_of_problem_scores_in_percent() -> None:
    rng = np.random.default_rng(0)
    correct = rng.random((40, 8)) < 0.5
    groups = np.where(correct, 0, rng.integers(1, 4, size=correct.shape))
    out = summarize(correct, groups, resamples=100)
    scores = problem_scores(correct, groups)
    for m in scores.metrics:
        assert out["metrics"][m.name]["value"] == round(100 * m.scores.mean(), 2)
        lo, hi = out["metrics"][m.name]["ci95"]
        assert lo <= out["metrics"][m.name]["value"] <= hi


def test_same_seed_is_reproducible() -> None:
    rng = np.random.default_rng(0)
    correct = rng.random((30, 4)) < 0.5
    groups = np.where(correct, 0, 1)
    assert summarize(correct, groups, seed=1) == summarize(correct, groups, seed=1)
    assert summarize(correct, groups, seed=1) != summarize(correct, groups, seed=2)


def test_sample_facts() -> None:
    correct, groups = matrix(4, 5, 2)
    groups[0, 4] = -1
    truncated = np.zeros_like(correct)
    truncated[:, 0] = True
    lengths = np.arange(20, dtype=float).reshape(4, 5)
    out = summarize(correct, groups, truncated=truncated, lengths=lengths, length_unit="characters")
    assert out["truncated_pct"] == 20.0
    assert out["no_answer_pct"] == 5.0  # from groups == -1
    assert out["mean_response_length"] == 9.5
    assert out["response_length_unit"] == "characters"
    explicit = np.zeros_like(correct)
    assert summarize(correct, groups, no_answer=explicit)["no_answer_pct"] == 0.0


def test_missing_facts_are_null() -> None:
    out = summarize(*matrix(3, 2, 1))
    assert out["truncated_pct"] is None
    assert out["mean_response_length"] is None and out["response_length_unit"] is None


def test_by_level() -> None:
    correct = np.array([[1, 1], [1, 0], [0, 0], [1, 1], [0, 0]], dtype=bool)
    groups = np.where(correct, 0, 1)
    out = summarize(correct, groups, levels=[1, 1, 2, 2, None], resamples=300, seed=0)
    assert list(out["by_level"]) == ["1", "2"]
    one, two = out["by_level"]["1"], out["by_level"]["2"]
    assert one["n_problems"] == 2 and two["n_problems"] == 2
    assert one["pass@1"]["value"] == 75.0 and two["pass@1"]["value"] == 50.0
    assert 50.0 <= one["pass@1"]["ci95"][0] <= 75.0 <= one["pass@1"]["ci95"][1] <= 100.0
    assert two["pass@1"]["ci95"] == [0.0, 100.0]


def test_levels_sorted_numerically_and_all_none_gives_empty() -> None:
    correct, groups = matrix(3, 2, 1)
    assert list(summarize(correct, groups, levels=[10, 2, 1])["by_level"]) == ["1", "2", "10"]
    assert summarize(correct, groups, levels=[None, None, None])["by_level"] == {}


@pytest.mark.parametrize(
    ("correct", "groups", "kwargs", "message"),
    [
        (np.ones(3, bool), np.zeros(3, int), {}, "matrix"),
        (np.ones((2, 3), bool), np.zeros((3, 2), int), {}, "groups shape"),
        (np.ones((0, 3), bool), np.zeros((0, 3), int), {}, "P >= 1"),
        (np.ones((2, 0), bool), np.zeros((2, 0), int), {}, "n >= 1"),
        (np.full((2, 2), 2), np.zeros((2, 2), int), {}, "0/1"),
        (np.ones((2, 2), bool), np.zeros((2, 2), float), {}, "integer class ids"),
        (np.ones((2, 2), bool), np.full((2, 2), -2), {}, "-1 for a sample"),
        (np.ones((2, 2), bool), np.zeros((2, 2), int), {"truncated": np.ones(2)}, "truncated"),
        (np.ones((2, 2), bool), np.zeros((2, 2), int), {"levels": [1]}, "levels"),
        (
            np.ones((2, 2), bool),
            np.zeros((2, 2), int),
            {"lengths": np.ones((2, 2)), "length_unit": "words"},
            "length_unit",
        ),
    ],
)
def test_validation_errors(correct, groups, kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        summarize(correct, groups, **kwargs)


def test_accepts_0_1_integers() -> None:
    out = summarize(np.array([[1, 0]]), np.array([[0, 1]]), resamples=50)
    assert out["metrics"]["pass@1"]["value"] == 50.0
