"""harness-plan refuses GPU and node counts below 1 and accepts the README's lines as written."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from harness.cli.plan import main
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gpus", "0"], "argument --gpus: must be at least 1, got 0"),
        (["--gpus", "-2"], "argument --gpus: must be at least 1, got -2"),
        (["--nodes", "0"], "argument --nodes: must be at least 1, got 0"),
        (["--gpus", "four"], "argument --gpus: invalid int value: 'four'"),
    ],
)
def test_counts_below_one_are_refused_as_argparse_does(args, message, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["benchmark=aime24", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"harness-plan: error: {message}"


def test_hardware_override_and_flag_must_agree(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["benchmark=aime24", "hardware=a100_80gb", "--hardware", "h100_80gb"])
    assert "differ" in capsys.readouterr().err


def test_hardware_override_picks_the_entry(capsys) -> None:
    assert main(["benchmark=aime24", "hardware=a100_80gb", "--gpus", "4", "--json"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows and all('"hardware": "a100_80gb"' in r for r in rows)
    assert all('"gpus": 4' in r for r in rows)


def _readme_plan_lines() -> list[list[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"^\.venv/bin/harness-plan (.*)$", text, flags=re.M)
    return [line.split("#")[0].split() for line in lines]


def test_readme_plan_lines_run_as_written(tmp_path) -> None:
    lines = _readme_plan_lines()
    assert any("hardware=a100_80gb" in args for args in lines)
    for args in lines:
        args = [str(tmp_path) if a == "results/<run>" else a for a in args]
        out = subprocess.run(
            [sys.executable, "-m", "harness.cli.plan", *args],
            cwd=REPO, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert out.returncode == 0, (args, out.stderr[-2000:])
        assert "Traceback" not in out.stderr
