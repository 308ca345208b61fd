"""Malformed seeds fail with the file, the line and the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness.claims import ClaimError, load_claims

PROTOCOLS = """\
protocols:
  - id: p
    document: somewhere
"""
GOOD = """\
claims:
  - id: c1
    kind: value
    statement: x scores 1
    source: {document: doc, table: T, row: r, column: c}
    protocol: p
    model: m
    benchmark: aime24
    metric: pass@1
    value: 1.0
"""


def _seeds(tmp_path: Path, *files: str, protocols: str = PROTOCOLS) -> Path:
    (tmp_path / "protocols.yaml").write_text(protocols)
    for i, text in enumerate(files):
        (tmp_path / f"f{i}.yaml").write_text(textwrap.dedent(text))
    return tmp_path


def _error(tmp_path: Path, *files: str) -> ClaimError:
    with pytest.raises(ClaimError) as info:
        load_claims(_seeds(tmp_path, *files))
    return info.value


def test_good_file_loads(tmp_path: Path) -> None:
    (claim,) = load_claims(_seeds(tmp_path, GOOD))
    assert claim.spec.value == 1.0
    assert claim.location.line == 2


def test_missing_key(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("    metric: pass@1\n", ""))
    assert (err.path.name, err.line, err.key) == ("f0.yaml", 2, "metric")
    assert "f0.yaml:2" in str(err) and "metric" in str(err)


def test_unknown_kind(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("kind: value", "kind: vibe"))
    assert (err.line, err.key) == (3, "kind")
    assert "vibe" in err.reason


def test_bad_value_type(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("value: 1.0", "value: high"))
    assert (err.line, err.key) == (10, "value")


def test_boolean_is_not_a_number(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("value: 1.0", "value: true"))
    assert err.key == "value"


def test_unknown_key(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD + "    tolerance: 1.0\n")
    assert (err.line, err.key) == (11, "tolerance")


def test_duplicate_key(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD + "    value: 2.0\n")
    assert (err.line, err.key) == (11, "value")
    assert "duplicate key" in err.reason


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD, GOOD)
    assert (err.path.name, err.line, err.key) == ("f1.yaml", 2, "id")
    assert "f0.yaml:2" in err.reason


def test_nested_source_key(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("row: r, ", ""))
    assert (err.line, err.key) == (5, "source.row")


def test_unknown_protocol(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD.replace("protocol: p", "protocol: q"))
    assert err.key == "protocol" and err.line == 2


def test_defaults_fill_in(tmp_path: Path) -> None:
    text = "defaults:\n  protocol: p\n  source: {document: doc}\n" + GOOD.replace(
        "    protocol: p\n", ""
    ).replace("document: doc, ", "")
    (claim,) = load_claims(_seeds(tmp_path, text))
    assert claim.protocol == "p" and claim.source.document == "doc"


COMPARISON = """\
  - id: c2
    kind: comparison
    statement: m beats n
    source: {document: doc}
    protocol: p
    benchmark: aime24
    metric: pass@1
    a: {model: m, claim: c1}
    b: {model: n}
    direction: greater
"""


def test_comparison_loads(tmp_path: Path) -> None:
    claims = load_claims(_seeds(tmp_path, GOOD + COMPARISON))
    assert claims[1].spec.a.claim == "c1"
    assert claims[1].models == ("m", "n")


def test_comparison_bad_reference(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD + COMPARISON.replace("model: m, claim", "model: n2, claim"))
    assert (err.line, err.key) == (11, "a.claim")  # the claim's first line


def test_comparison_bad_direction(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD + COMPARISON.replace("greater", "bigger"))
    assert (err.line, err.key) == (20, "direction")


def test_greater_takes_no_tolerance(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD + COMPARISON + "    tolerance: 1.0\n")
    assert err.key == "tolerance"


def test_not_measurable_value_needs_reason(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD + "    measurable: false\n")
    assert err.key == "reason" and err.line == 2


def test_long_quote_rejected(tmp_path: Path) -> None:
    quote = " ".join(["word"] * 26)
    text = GOOD.replace("table: T, row: r, column: c", f"article: a.txt, quote: {quote}")
    err = _error(tmp_path, text)
    assert (err.line, err.key) == (5, "source.quote")


def test_invalid_yaml(tmp_path: Path) -> None:
    err = _error(tmp_path, GOOD + "  - id: [unclosed\n")
    assert err.path.name == "f0.yaml" and err.line > 0


def test_claims_must_be_a_list(tmp_path: Path) -> None:
    err = _error(tmp_path, "claims: {id: x}\n")
    assert (err.line, err.key) == (1, "claims")


def test_a_reproduction_must_name_an_original_claim_of_the_same_cell(tmp_path: Path) -> None:
    repro = GOOD.replace("id: c1", "id: r1").replace(
        "value: 1.0", "value: 2.0\n    reproduces: TARGET\n    spread: 0.5"
    )
    wrong_metric = GOOD.replace("id: c1", "id: c2").replace("pass@1", "cons@64")
    err = _error(tmp_path, GOOD, wrong_metric, repro.replace("TARGET", "c2"))
    assert "f2.yaml" in str(err) and "reproduces" in str(err) and "'c2'" in str(err)
    (tmp_path / "ok").mkdir()
    (tmp_path / "neg").mkdir()
    loaded = load_claims(_seeds(tmp_path / "ok", GOOD, repro.replace("TARGET", "c1")))
    (r,) = [c for c in loaded if c.id == "r1"]
    assert r.spec.reproduces == "c1" and r.spec.spread == 0.5
    bad_sd = repro.replace("TARGET", "c1").replace("spread: 0.5", "spread: -1")
    assert "spread" in str(_error(tmp_path / "neg", GOOD, bad_sd))
