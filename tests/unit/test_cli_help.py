"""Every console script's --help names the app, says what it does, and shows examples."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness.config.groups import user_groups
from tests.conftest import REPO


def _help(module: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", f"harness.cli.{module}", "--help"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_eval_help_names_the_app_and_lists_only_user_groups() -> None:
    text = _help("eval")
    assert text.startswith("harness-eval: ")
    assert "powered by Hydra" not in text and "schema/" not in text
    examples = [line for line in text.splitlines() if line.startswith("  harness-eval ")]
    assert len(examples) == 3
    groups = user_groups()
    assert {"benchmark", "model", "sampling", "backend", "hardware"} <= set(groups)
    for group, options in groups.items():
        assert f"{group}=" in text
        assert all(option in text for option in options)


@pytest.mark.parametrize("module", ["plan", "report", "compare"])
def test_argparse_help_has_a_description_and_three_examples(module: str) -> None:
    text = _help(module)
    assert text.startswith(f"usage: harness-{module}")
    assert "\nexamples:\n" in text
    after = text.split("\nexamples:\n", 1)[1]
    examples = [line for line in after.splitlines() if line.startswith(f"  harness-{module} ")]
    assert len(examples) == 3


def test_every_eval_help_example_composes() -> None:
    from harness.cli.compose import compose_config

    text = _help("eval")
    for line in text.splitlines():
        if line.startswith("  harness-eval "):
            args = line.split("#")[0].split()[1:]
            compose_config(args)  # a bad example fails at compose time
