"""Analyses of a run's logged samples that need no new generation (budget curves, lengths)."""
