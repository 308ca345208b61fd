"""The shipped seeds load and refer only to things that exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.claims import (
    Claim,
    ComparisonSpec,
    ValueSpec,
    check_margins,
    load_claims,
    load_groups,
    load_margins,
    load_protocols,
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
# Written concurrently elsewhere; the files win once they exist.
BENCHMARKS = {"math500", "aime24", "aime25", "amc23", "gpqa_diamond", "gsm8k"}
T5_MODELS = {
    "gpt_4o_0513", "claude_3_5_sonnet_1022", "o1_mini", "qwq_32b_preview",
    "r1_distill_qwen_1_5b", "r1_distill_qwen_7b", "r1_distill_qwen_14b", "r1_distill_qwen_32b",
    "r1_distill_llama_8b", "r1_distill_llama_70b",
}  # fmt: skip
T5_COLUMNS = {
    ("aime24", "pass@1"), ("aime24", "cons@64"), ("math500", "pass@1"),
    ("gpqa_diamond", "pass@1"), ("livecodebench", "pass@1"), ("codeforces", "rating"),
}  # fmt: skip


@pytest.fixture(scope="module")
def claims() -> list[Claim]:
    return load_claims(SEEDS)


def _benchmark_names() -> set[str]:
    files = {p.stem for p in (ROOT / "configs" / "benchmark").glob("*.yaml")}
    return files or BENCHMARKS


def test_all_load(claims: list[Claim]) -> None:
    assert len(claims) > 100
    assert len({c.id for c in claims}) == len(claims)
    assert set(load_protocols(SEEDS)) == {
        "r1_paper", "r1_readme", "unstated",
        "r1_paper_baseline", "o1_official", "o1_mini_baseline", "qwq_baseline",
        "r1_nature", "repro_open_r1_greedy", "repro_open_r1_sampled", "repro_nemo_skills",
        "repro_sober_reasoning", "repro_evalhub_math", "repro_evalhub_gpqa",
    }  # fmt: skip


def test_models_exist(claims: list[Claim]) -> None:
    models = {p.stem for p in (ROOT / "configs" / "model").glob("*.yaml")}
    named = {m for c in claims for m in c.models}
    assert named <= models, named - models


def test_measurable_benchmarks_exist(claims: list[Claim]) -> None:
    named = {b for c in claims if c.measurable for b in c.benchmarks}
    assert named <= _benchmark_names(), named - _benchmark_names()


def test_table5_complete(claims: list[Claim]) -> None:
    cells = {
        (c.spec.model, c.spec.benchmark, c.spec.metric): c
        for c in claims
        if c.source.table == "Table 5" and isinstance(c.spec, ValueSpec)
    }
    assert len(cells) == 60
    assert {k[0] for k in cells} == T5_MODELS
    assert {k[1:] for k in cells} == T5_COLUMNS
    for (_, bench, _), claim in cells.items():
        assert claim.measurable == (bench not in {"livecodebench", "codeforces"})
    assert cells["qwq_32b_preview", "aime24", "pass@1"].spec.value == 50.0
    assert cells["r1_distill_qwen_1_5b", "math500", "pass@1"].spec.value == 83.9
    assert cells["o1_mini", "codeforces", "rating"].spec.value == 1820


def test_readme_differs_from_paper_on_qwq(claims: list[Claim]) -> None:
    def cell(document: str) -> float:
        (value,) = [
            c.spec.value
            for c in claims
            if c.source.document.startswith(document)
            and isinstance(c.spec, ValueSpec)
            and (c.spec.model, c.spec.benchmark, c.spec.metric)
            == ("qwq_32b_preview", "aime24", "pass@1")
        ]
        return value

    assert cell("DeepSeek-R1 paper") == 50.0
    assert cell("deepseek-ai/DeepSeek-R1 README") == 44.0


def test_table4_r1_vs_o1(claims: list[Claim]) -> None:
    t4 = {
        (c.spec.model, c.spec.benchmark): c.spec.value
        for c in claims
        if c.source.table == "Table 4" and isinstance(c.spec, ValueSpec)
    }
    assert t4["deepseek_r1", "aime24"] == 79.8
    assert t4["o1_1217", "aime24"] == 79.2
    assert t4["deepseek_r1", "gpqa_diamond"] == 71.5


def test_every_article_has_claims(claims: list[Claim]) -> None:
    cited = {c.source.article for c in claims if c.source.article}
    assert len(cited) == 5
    assert all(c.protocol == "unstated" for c in claims if c.source.article)


def test_comparison_references_resolve(claims: list[Claim]) -> None:
    by_id = {c.id: c for c in claims}
    for c in claims:
        if isinstance(c.spec, ComparisonSpec):
            for side in (c.spec.a, c.spec.b):
                if side.claim:
                    assert by_id[side.claim].spec.model == side.model


def test_every_measurable_claim_has_a_pre_registered_margin(claims: list[Claim]) -> None:
    margins = load_margins(SEEDS)
    check_margins(claims, margins)
    assert margins["aime24", "pass@1"].delta == 3.33 and margins["aime24", "pass@1"].problems == 30
    assert margins["aime24", "cons@64"].delta == 6.67
    assert margins["math500", "pass@1"].delta == 2.0
    assert margins["gpqa_diamond", "pass@1"].delta == 3.0
    assert all(m.reason for m in margins.values())


def test_group_rules(claims: list[Claim]) -> None:
    rules = load_groups(SEEDS, claims)
    assert (rules["art.002.r1_rivals_o1"].rule, rules["art.002.r1_rivals_o1"].k) == ("at_least", 2)
    assert rules["art.000.distill_consumer_gpu"].rule == "any"
    assert rules["paper.text.qwen_14b_beats_qwq_all"].rule == "all"  # the default


def test_seed_corrections(claims: list[Claim]) -> None:
    by_id = {c.id: c for c in claims}
    # README LiveCodeBench cells that differ from the paper's Table 4 (38.9, 32.9, 36.2)
    assert by_id["readme.r1_eval.claude_3_5_sonnet_1022.livecodebench.pass@1"].spec.value == 33.8
    assert by_id["readme.r1_eval.gpt_4o_0513.livecodebench.pass@1"].spec.value == 34.2
    assert not by_id["readme.r1_eval.deepseek_v3.livecodebench.pass@1"].measurable
    # GPQA is knowledge in the paper: outside the "math, code, and reasoning" group
    gpqa = by_id["art.000.r1_comparable_o1.gpqa_diamond.pass@1"]
    assert gpqa.group is None and "knowledge" in (gpqa.note or "")
    # comparable / rivals / at par are two-sided equivalence; match or exceed is non-inferiority
    assert by_id["art.003.r1_par_with_us_models.aime24.pass@1"].spec.direction == "equivalent"
    assert by_id["art.004.small_matches_bigger.aime24.pass@1"].spec.direction == "geq"
    # the literal claims are recorded; proxies are labelled and point at them
    assert not by_id["art.000.thinking_time.r1_zero"].measurable
    assert by_id["art.000.thinking_time.qwen_1_5b"].proxy_for == "art.000.thinking_time.r1_zero"
    assert by_id["art.000.thinking_time.qwen_1_5b"].spec.min_ratio == 1.5
    mobile = by_id["art.001.runs_on_mobile"]
    assert (
        not mobile.measurable and "671" in mobile.spec.reason and mobile.models == ("deepseek_r1",)
    )
    assert by_id["art.001.runs_on_mobile.distill_1_5b"].proxy_for == "art.001.runs_on_mobile"
    for cid in ("art.001.training_cost", "art.003.training_cost"):
        assert "DeepSeek-V3's final training run" in (by_id[cid].note or "")
    for cid in (
        "paper.t5.r1_distill_qwen_1_5b.aime24.cons@64",
        "paper.t5.gpt_4o_0513.aime24.cons@64",
    ):
        assert "not a multiple of 100/30" in (by_id[cid].note or "").lower()
    # baselines carry a protocol whose unknown fields are unset
    assert by_id["paper.t4.o1_1217.aime24.pass@1"].protocol == "o1_official"
    assert by_id["paper.t5.qwq_32b_preview.aime24.pass@1"].protocol == "qwq_baseline"
    for c in claims:
        if c.proxy_for:
            assert c.proxy_for in by_id and "PROXY" in (c.note or c.statement), c.id


def test_reproductions_cite_deepseek_and_carry_their_protocol(claims: list[Claim]) -> None:
    by_id = {c.id: c for c in claims}
    repro = [c for c in claims if isinstance(c.spec, ValueSpec) and c.spec.reproduces]
    assert {c.id.split(".")[1] for c in repro} == {
        "open_r1_greedy", "open_r1", "nemo_skills", "sober_reasoning", "evalhub_vllm",
        "evalhub_sglang",
    }  # fmt: skip
    protocols = load_protocols(SEEDS)
    for c in repro:
        target = by_id[c.spec.reproduces]
        assert target.id.startswith("paper.t5.")
        assert (target.spec.model, target.spec.benchmark, target.spec.metric) == (
            c.spec.model, c.spec.benchmark, c.spec.metric,
        )  # fmt: skip
        assert c.protocol.startswith("repro_") and c.protocol in protocols
        assert c.source.repository or "arXiv" in c.source.document

    # the AIME 2024 table, source by source (1.5B, 7B, 14B, 32B)
    def aime(slug: str) -> list[float]:
        return [
            by_id[f"repro.{slug}.r1_distill_qwen_{m}.aime24.pass@1"].spec.value
            for m in ("1_5b", "7b", "14b", "32b")
        ]

    assert aime("open_r1") == [30.7, 50.8, 65.9, 69.7]
    assert aime("nemo_skills") == [26.8, 54.4, 65.8, 66.9]
    assert aime("sober_reasoning") == [28.7, 52.3, 69.3, 67.0]
    sds = [by_id[f"repro.sober_reasoning.r1_distill_qwen_{m}.aime24.pass@1"].spec.spread
           for m in ("1_5b", "7b", "14b", "32b")]  # fmt: skip
    assert sds == [4.8, 6.3, 5.8, 1.9]
    evalhub = protocols["repro_evalhub_math"]
    assert evalhub.samples_for("aime24") == (64, 64) and evalhub.max_new_tokens == 30720
    assert by_id["repro.evalhub_vllm.r1_distill_qwen_1_5b.aime24.cons@64"].spec.value == 56.7


def test_nature_version_is_its_own_claim(claims: list[Claim]) -> None:
    by_id = {c.id: c for c in claims}
    pairs = [("aime24", 71.0, 77.9), ("gpqa_diamond", 73.3, 75.8)]
    for bench, arxiv, nature in pairs:
        a = by_id[f"paper.t2.deepseek_r1_zero.{bench}.pass@1"]
        n = by_id[f"nature.t2.deepseek_r1_zero.{bench}.pass@1"]
        assert (a.spec.value, n.spec.value) == (arxiv, nature)
        assert a.protocol == "r1_paper" and n.protocol == "r1_nature"
        assert "Nature" in n.source.document and "arXiv" in a.source.document
