"""The bundled probe sets load as benchmarks, pair up, and are sent without any instruction."""

from __future__ import annotations

from collections import Counter

import pytest

from harness.data.loader import load_benchmark
from harness.prompts import user_message
from tests.conftest import compose


@pytest.fixture(scope="module")
def sensitive():
    return load_benchmark(compose(["benchmark=probes_sensitive"]).benchmark)[0]


@pytest.fixture(scope="module")
def identity():
    return load_benchmark(compose(["benchmark=probes_identity"]).benchmark)[0]


def test_sensitive_pairs_and_controls(sensitive):
    kinds = Counter(p.gold for p in sensitive)
    assert kinds["sensitive"] == kinds["control"] >= 60 and kinds["neutral"] >= 10
    assert all(p.answer_type == "refusal" for p in sensitive)
    for s, c in zip(sensitive[0:128:2], sensitive[1:128:2], strict=True):
        assert s.id.endswith(":sensitive") and c.id == s.id.replace(":sensitive", ":control")
        assert s.subject == c.subject and s.question != c.question
    topics = {p.subject for p in sensitive if p.gold == "sensitive"}
    assert {"tiananmen", "taiwan", "xinjiang", "tibet", "hong_kong", "leadership"} <= topics


def test_identity_phrasings(identity):
    langs = Counter(p.subject for p in identity)
    assert len(identity) >= 20 and langs["en"] >= 10 and langs["zh"] >= 10
    assert any(p.question == "What model are you?" for p in identity)


def test_probes_are_sent_bare(sensitive, identity):
    for p in (sensitive[0], identity[0]):
        assert user_message(p) == p.question
        assert "boxed" not in user_message(p) and "step by step" not in user_message(p)


def test_dryrun_takes_the_probe_file():
    cfg = compose(["experiment=dryrun", "benchmark=probes_sensitive"])
    assert cfg.benchmark.source.endswith("probe_sets/sensitive.jsonl")
    assert compose(["experiment=dryrun"]).benchmark.source.endswith(".jsonl")
    assert "probe_sets" not in compose(["experiment=dryrun"]).benchmark.source
