"""The one exception the data stage raises for bad benchmark data or an unreachable source."""

from harness.errors import HarnessError


class BenchmarkDataError(HarnessError, ValueError):
    """Benchmark data cannot be used as configured.

    The message always names the file (or hub dataset), the field where one is involved, and
    the fix, e.g. ``benchmark.answer_fields=[...]`` or ``benchmark.source=/path/to/file``.
    """
