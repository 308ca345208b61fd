"""Every option of every config group composes against the typed schema; bad configs fail early."""

from __future__ import annotations

import subprocess

import pytest
from hydra.errors import ConfigCompositionException, MissingConfigException
from omegaconf import OmegaConf

from tests.conftest import REPO, compose
from tests.helpers import eval_inproc as inproc

GROUPS = ["benchmark", "model", "sampling", "backend", "tracking", "hardware"]
OPTIONS = [
    (group, path.stem)
    for group in GROUPS
    for path in sorted((REPO / "configs" / group).glob("*.yaml"))
]

# Options with a required key (`???`) get one here; everything else must still resolve.
REQUIRED = {("benchmark", "lm_eval_task"): ["benchmark.task=gsm8k"]}


def test_every_group_has_options():
    for group in GROUPS:
        assert any(g == group for g, _ in OPTIONS), f"configs/{group}/ is empty"


@pytest.mark.parametrize(("group", "option"), OPTIONS, ids=[f"{g}={o}" for g, o in OPTIONS])
def test_option_composes_and_resolves(group, option):
    cfg = compose([f"{group}={option}", *REQUIRED.get((group, option), [])])
    resolved = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    assert resolved[group]["name"]
    # The schema is applied: the node is typed, so unknown keys are rejected.
    assert OmegaConf.get_type(cfg[group]).__name__.endswith("Config")


def test_r1_protocol_is_the_default():
    cfg = compose([])
    assert (cfg.sampling.temperature, cfg.sampling.top_p, cfg.sampling.max_new_tokens) == (
        0.6,
        0.95,
        32768,
    )
    assert compose(["benchmark=aime24"]).sampling.n == 64
    assert compose(["benchmark=aime24", "sampling.n=8"]).sampling.n == 8


def test_user_keys_are_settable():
    cfg = compose(
        [
            "benchmark=gsm8k",
            "benchmark.source=/tmp/x.jsonl",
            "backend=replay",
            "backend.path=r.jsonl",
            "sampling.n=3",
            "limit=7",
            "seed=5",
            "results_dir=/tmp/res",
            "tracking=wandb",
        ]
    )
    assert (cfg.benchmark.source, cfg.backend.path, cfg.sampling.n, cfg.limit) == (
        "/tmp/x.jsonl",
        "r.jsonl",
        3,
        7,
    )
    assert (cfg.seed, cfg.results_dir, cfg.tracking.name, cfg.sampling.seed) == (
        5,
        "/tmp/res",
        "wandb",
        5,
    )


def full_message(exc: BaseException) -> str:
    parts = []
    while exc is not None:
        parts.append(str(exc))
        exc = exc.__cause__
    return "\n".join(parts)


def test_unknown_key_fails_naming_it():
    with pytest.raises(ConfigCompositionException) as info:
        compose(["benchmark.nope=1"])
    assert "Key 'nope' not in 'BenchmarkConfig'" in full_message(info.value)


def test_wrong_type_fails():
    with pytest.raises(ConfigCompositionException) as info:
        compose(["limit=lots"])
    assert "could not be converted to Integer" in full_message(info.value)


def test_misspelt_option_lists_the_choices():
    with pytest.raises(MissingConfigException) as info:
        compose(["benchmark=math5000"])
    message = str(info.value)
    assert "math5000" in message
    for option in ["aime24", "math500", "gpqa_diamond"]:
        assert option in message


def test_unknown_key_in_a_yaml_option_fails(tmp_path):
    bad = tmp_path / "configs"
    subprocess.run(["cp", "-r", str(REPO / "configs"), str(bad)], check=True)
    (bad / "benchmark" / "typo.yaml").write_text(
        "defaults:\n  - /schema/benchmark/benchmark@_here_\n  - _self_\nname: typo\nhub_id: x\n"
        "revision: r\nanswer_feild: [answer]\n"
    )
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from harness.config.schema import register

    register()
    with (
        initialize_config_dir(config_dir=str(bad), version_base="1.3"),
        pytest.raises(ConfigCompositionException, match="answer_feild"),
    ):
        hydra_compose(config_name="config", overrides=["benchmark=typo"])


def run_cli(*args: str) -> inproc.Result:
    """``harness-eval ARGS`` in this process (``tests/helpers/eval_inproc.py``)."""
    return inproc.harness_eval(*args)


def test_cli_help_lists_groups():
    out = run_cli("--help")
    assert out.returncode == 0, out.stderr
    for group in GROUPS:
        assert f"  {group}=" in out.stdout


@pytest.mark.parametrize("budgets", ["[1024,0]", "[-5]", "[0,1024]"])
def test_budgets_below_one_are_refused_naming_the_key(budgets):
    from harness.config.validate import ConfigValueError

    with pytest.raises(ConfigValueError, match=r"^analysis\.budgets\[\d\]=.* is out of range"):
        compose([f"analysis.budgets={budgets}"])


def test_cli_cfg_job_shows_resolved_protocol():
    out = run_cli("benchmark=aime24", "--cfg", "job", "--resolve")
    assert out.returncode == 0, out.stderr
    cfg = OmegaConf.create(out.stdout)
    assert (
        cfg.sampling.n == 64 and cfg.sampling.temperature == 0.6 and cfg.benchmark.name == "aime24"
    )
