"""Reconcile two runs item by item: why does one number differ from the other?

``harness-compare RUN_A RUN_B`` (``harness/cli/compare.py``) loads both run directories
(``load.py``), puts every item whose verdict differs in one category (``categories.py``),
computes both pass@1 values, their paired difference with fixed-set and generalisation
intervals and each category's effect (``reconcile.py``), and prints it (``render.py``).
"""

from harness.compare.load import CompareError, load_items
from harness.compare.reconcile import compare_runs
from harness.compare.render import render

__all__ = ["CompareError", "compare_runs", "load_items", "render"]
