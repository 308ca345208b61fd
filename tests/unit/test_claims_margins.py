"""Margins and group rules are validated on load, with file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.claims import ClaimError, load_claims, load_groups, load_margins

ROOT = Path(__file__).resolve().parents[2]

MARGIN = """margins:
  - benchmark: aime24
    metric: pass@1
    delta: 3.33
    problems: 30
    reason: one problem
"""


def _margins(tmp_path: Path, text: str) -> dict:
    (tmp_path / "margins.yaml").write_text(text)
    return load_margins(tmp_path)


def test_a_margin_loads(tmp_path: Path) -> None:
    m = _margins(tmp_path, MARGIN)[("aime24", "pass@1")]
    assert (m.delta, m.problems, m.location.line) == (3.33, 30, 2)


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        (MARGIN.replace("3.33", "0"), "delta", "positive"),
        (MARGIN.replace("    reason: one problem\n", ""), "reason", "missing"),
        (MARGIN + "    why: x\n", "why", "unknown key"),
        (MARGIN + MARGIN.split("\n", 1)[1], "metric", "duplicate margin"),
    ],
)
def test_bad_margins_name_the_key(tmp_path: Path, text: str, key: str, words: str) -> None:
    with pytest.raises(ClaimError) as err:
        _margins(tmp_path, text)
    assert err.value.key == key and words in err.value.reason


@pytest.mark.parametrize(
    ("entry", "key", "words"),
    [
        ("  - id: nope\n    rule: all\n    reason: x\n", "id", "no claim has group"),
        ("  - id: art.002.r1_rivals_o1\n    rule: at_least\n    reason: x\n", "k", "needs k"),
        (
            "  - id: art.002.r1_rivals_o1\n    rule: at_least\n    k: 9\n    reason: x\n",
            "k",
            "exceeds",
        ),
        ("  - id: art.002.r1_rivals_o1\n    rule: most\n    reason: x\n", "rule", "not one of"),
    ],
)
def test_bad_group_rules_name_the_key(tmp_path: Path, entry: str, key: str, words: str) -> None:
    claims = load_claims(ROOT / "seeds")
    (tmp_path / "groups.yaml").write_text("groups:\n" + entry)
    with pytest.raises(ClaimError) as err:
        load_groups(tmp_path, claims)
    assert err.value.key == key and words in err.value.reason
