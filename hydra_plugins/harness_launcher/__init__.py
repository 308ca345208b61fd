"""Hydra launcher plugin of r1-harness (Hydra only discovers plugins under ``hydra_plugins``)."""
