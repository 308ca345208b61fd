"""Data stage: benchmark definitions (configs/benchmark/*.yaml) → ``Problem`` records."""

from harness.data.errors import BenchmarkDataError
from harness.data.loader import load_benchmark, problems_sha256
from harness.data.prompts import GPQA_INSTRUCTION, MATH_INSTRUCTION

__all__ = [
    "GPQA_INSTRUCTION",
    "MATH_INSTRUCTION",
    "BenchmarkDataError",
    "load_benchmark",
    "problems_sha256",
]
