"""Per-problem pass@k from the per-sample correctness matrix.

pass@1 is the DeepSeek-R1 estimator (arXiv 2501.12948, §3 "Evaluation Setup": pass@1 = 1/k Σ p_i,
the mean correctness over the k sampled responses). pass@k for k > 1 is the unbiased estimator of
Chen et al. 2021, "Evaluating Large Language Models Trained on Code" (arXiv 2107.03374), eq. 1:

    pass@k = 1 − C(n − c, k) / C(n, k)

for n samples of which c are correct, computed in the numerically stable product form of their
Figure 3: 1 − Π_{j = n−c+1}^{n} (1 − k / j).
"""

from __future__ import annotations

import numpy as np


def k_values(n: int) -> list[int]:
    """List the k reported for n samples: 1, 2, 4, 8, … up to n, and n itself.

    Args:
        n: Samples per problem (n ≥ 1).

    Returns:
        Sorted distinct k values.

    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    ks = [1 << i for i in range(n.bit_length()) if (1 << i) <= n]
    if ks[-1] != n:
        ks.append(n)
    return ks


def pass_at_1(correct: np.ndarray) -> np.ndarray:
    """Per-problem mean correctness over the n samples (R1 paper's pass@1).

    Args:
        correct: Bool matrix of shape (P problems, n samples).

    Returns:
        Float vector of shape (P,) with values in [0, 1].

    """
    return np.asarray(correct, dtype=np.float64).mean(axis=1)


def pass_at_k(correct: np.ndarray, k: int) -> np.ndarray:
    """Per-problem unbiased pass@k (Chen et al. 2021, eq. 1, stable product form).

    The value is the probability that at least one of k samples drawn without replacement from
    the n observed ones is correct; for k = 1 it equals ``pass_at_1``.

    Args:
        correct: Bool matrix of shape (P problems, n samples).
        k: Number of draws, 1 ≤ k ≤ n.

    Returns:
        Float vector of shape (P,) with values in [0, 1].

    Raises:
        ValueError: If k is outside [1, n].

    """
    correct = np.asarray(correct, dtype=bool)
    n = correct.shape[1]
    if not 1 <= k <= n:
        raise ValueError(f"k must be in [1, n={n}], got {k}")
    c = correct.sum(axis=1)
    j = np.arange(1, n + 1, dtype=np.float64)  # candidate factors j = 1..n
    # Only the factors j = n−c+1 … n enter the product; the others are replaced by 1.
    in_product = j[None, :] > (n - c)[:, None]
    factors = np.where(in_product, 1.0 - k / j[None, :], 1.0)
    estimate = 1.0 - np.prod(factors, axis=1)
    # n − c < k: every k-subset holds a correct sample (C(n−c, k) = 0), so pass@k = 1 exactly.
    return np.where(n - c < k, 1.0, estimate)
