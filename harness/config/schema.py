"""Typed schema of the run config, registered in Hydra's ConfigStore.

Each YAML option of a group lists its schema first in its defaults (``- /schema/backend/replay``),
so an unknown key or a wrong type fails at compose time, naming the key. A misspelt group option
fails in Hydra itself, which lists the available options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING


@dataclass
class BenchmarkConfig:
    """A benchmark: where its data lives and how its items are read and graded."""

    name: str = MISSING
    hub_id: str = MISSING
    # Hub configs ("subsets"); several are concatenated in order (AIME 2025 I then II).
    hub_configs: list[str] = field(default_factory=list)
    split: str = "test"
    revision: str = MISSING  # pinned commit of the hub dataset repository
    # A local JSONL/JSON/CSV file in the same format; when set, the hub is not contacted.
    source: str | None = None
    problem_fields: list[str] = field(default_factory=lambda: ["problem"])  # first present wins
    answer_fields: list[str] = field(default_factory=lambda: ["answer"])
    id_field: str | None = None  # None: ids are "<name>-<row index>"
    level_field: str | None = None
    subject_field: str | None = None
    answer_type: str = "math"  # math | integer | choice
    answer_format: str = "plain"  # plain | gsm8k_hash (final answer after "#### ")
    strip_suffix: str | None = None  # instruction some copies append to the problem text
    choice_fields: list[str] = field(default_factory=list)  # GPQA: correct option first
    shuffle_seed: int = 0  # GPQA option order; recorded in provenance
    n_samples: int = 1  # default samples per problem under sampling=r1
    description: str = ""
    # Other tools' names for this benchmark (tool → task names, as their logs record them), so a
    # replayed log of another benchmark is refused (backends/importers/verify.py).
    task_names: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class LmEvalTaskConfig(BenchmarkConfig):
    """Any lm-eval task run through lm-eval's evaluator (``harness/backends/lm_eval/task.py``)."""

    name: str = "lm_eval_task"
    task: str = MISSING  # lm-eval task name, e.g. gsm8k
    include_path: str | None = None  # extra folder of task YAMLs for lm-eval's TaskManager
    num_fewshot: int | None = None  # None: the task's own
    apply_chat_template: bool = False  # lm-eval's default; the task's prompt format otherwise
    hub_id: str = "lm-eval"  # the data come from the task's own config
    revision: str = "task-config"


@dataclass
class ModelConfig:
    """The model that produced (or will produce) the responses."""

    name: str = MISSING
    hub_id: str = MISSING
    # A local model directory; when set it is loaded instead of hub_id (no hub contact).
    path: str | None = None
    revision: str | None = None
    tokenizer_revision: str | None = None
    reasoning: bool = True  # emits <think>…</think> before its answer
    dtype: str = "bfloat16"
    context_length: int | None = None
    family: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SamplingConfig:
    """Backend-neutral sampling protocol; each backend maps it explicitly."""

    name: str = MISSING
    temperature: float = 0.6
    top_p: float = 0.95
    max_new_tokens: int = 32768
    n: int = 1
    seed: int = 0
    # Benchmarks only (benchmarks/gpu_check.py): generate exactly max_new_tokens by ignoring the
    # end-of-sequence token, so two engines produce the same number of tokens. vLLM only; never
    # for an evaluation (the protocol ends at EOS).
    ignore_eos: bool = False


@dataclass
class BackendConfig:
    """Common part of every backend: ``_target_`` names the class that generates."""

    _target_: str = MISSING
    name: str = MISSING


@dataclass
class ImportFieldsConfig:
    """Field names of a generic JSONL log (``backend.format=jsonl``); dots reach nested keys."""

    problem_id: str = "problem_id"
    response: str = "response"  # a string, or a list of strings: samples 0..k-1
    finish_reason: str = "finish_reason"
    problem: str = "problem"  # problem text, for backend.match=problem_text
    sample_index: str = "sample_index"


@dataclass
class ReplayBackendConfig(BackendConfig):
    """Replays recorded responses from a JSONL file."""

    _target_: str = "harness.backends.replay.ReplayBackend"
    name: str = "replay"
    path: str | None = None
    format: str = "auto"  # auto or a registered format (backends/importers/__init__.py FORMATS)
    fields: ImportFieldsConfig = field(default_factory=ImportFieldsConfig)
    match: str = "id"  # id | problem_text (normalised problem text)
    # Testing/benchmark knob: deliver completions at this many per second, as a generating
    # backend would, to measure grading while generating (benchmarks/RESULTS_grading.md).
    pace: float | None = None


@dataclass
class VllmBackendConfig(BackendConfig):
    """vLLM's offline engine (``harness/backends/vllm/backend.py``)."""

    _target_: str = "harness.backends.vllm.backend.VllmBackend"
    name: str = "vllm"
    tensor_parallel_size: int | None = None  # None: the smallest that fits the GPUs present
    data_parallel_size: int | None = None  # engine replicas on this node; None: as many as fit
    max_model_len: int | None = None  # None: max new tokens + max(prompt, 2048), ≤ model context
    gpu_memory_utilization: float = 0.9
    dtype: str | None = None  # None: model.dtype
    enable_prefix_caching: bool = True
    enforce_eager: bool = False
    max_num_seqs: int | None = None  # None: vLLM's default
    pipeline_parallel_size: int = 1  # stages across nodes (with distributed_executor_backend=ray)
    distributed_executor_backend: str | None = None  # mp | ray; None: vLLM's default


@dataclass
class OpenAIAPIBackendConfig(BackendConfig):
    """An OpenAI-compatible chat endpoint (``harness/backends/api/openai.py``)."""

    _target_: str = "harness.backends.api.openai.OpenAIAPIBackend"
    name: str = "openai_api"
    api_base: str | None = None  # None: model.extra.api_base
    concurrency: int = 8
    timeout_s: float = 1800.0
    retries: int = 6
    backoff_s: float = 2.0
    extra_body: dict[str, Any] = field(default_factory=dict)


@dataclass
class LmEvalBackendConfig(BackendConfig):
    """lm-eval's model classes (``harness/backends/lm_eval/backend.py``)."""

    _target_: str = "harness.backends.lm_eval.backend.LmEvalBackend"
    name: str = "lm_eval"
    model_type: str = "hf"  # any lm-eval model name: hf, vllm, local-chat-completions, ...
    model_args: dict[str, Any] = field(default_factory=dict)  # overrides the derived ones
    device: str | None = None  # hf: None = cuda when visible, else cpu
    batch_size: int = 8
    chunk_size: int = 64  # requests per generate_until call; each finished chunk is persisted


@dataclass
class TrackingConfig:
    """Experiment tracking."""

    name: str = "none"
    project: str = "r1-harness"
    entity: str | None = None
    mode: str = "offline"  # offline | online | disabled
    dir: str | None = None  # W&B files; default: <results_dir>/wandb
    tags: list[str] = field(default_factory=list)
    log_samples: bool = True


@dataclass
class GradingConfig:
    """Grading settings."""

    timeout_s: float = 5.0  # per response; math-verify's own default is 5 s
    workers: int | None = None  # None: all cores
    # Behaviour probes: overrides composing an optional judge model ("gpt_4o_0513
    # backend=openai_api"); reported next to the rule-based classifier, never substituted.
    judge: str | None = None
    # Conventions (harness/grading/convention.py); the defaults are the DeepSeek-R1 rule.
    answer_region: str = "after_think"  # after_think | anywhere (last box of the whole text)
    truncated: str = "wrong"  # wrong | grade (grade a length-stopped response as final)


@dataclass
class StatsConfig:
    """Bootstrap settings for the confidence intervals."""

    bootstrap_resamples: int = 2000
    bootstrap_seed: int = 0
    confidence: float = 0.95


@dataclass
class AnalysisConfig:
    """Analyses of the logged samples (``harness/analysis/``)."""

    # Token budgets of the budget curve; those below sampling.max_new_tokens are kept and
    # max_new_tokens itself is always the last point. 32,768: the R1 paper's maximum (§3).
    budgets: list[int] = field(default_factory=lambda: [1024, 2048, 4096, 8192, 16384, 32768])


@dataclass
class ThroughputEntry:
    """Decode throughput per GPU for models up to ``max_params_b`` billion parameters."""

    max_params_b: float = MISSING
    tokens_per_s_per_gpu: float = MISSING


@dataclass
class HardwareConfig:
    """A GPU type for planning, launching and pricing (``configs/hardware/*.yaml``)."""

    name: str = MISSING
    gpu: str = MISSING  # display name
    match: list[str] = field(default_factory=list)  # substrings of nvidia-smi's GPU name
    memory_gib: float = MISSING
    memory_bandwidth_gb_s: float = 0.0  # vendor datasheet; 0 when not recorded
    vendor: str = "nvidia"  # nvidia | amd (which driver tool finds it: plan/discover.py)
    gpus_per_node: int = 8
    price_per_gpu_hour: float = MISSING
    price_source: str = ""
    throughput: list[ThroughputEntry] = field(default_factory=list)
    throughput_source: str = ""


@dataclass
class EvidenceConfig:
    """A public per-sample data set of another publisher (``configs/evidence/``, README).

    ``harness-eval evidence=<name>`` downloads ``files`` of ``hub_id`` at ``revision``, keeps the
    rows whose columns equal ``select``, and replays them with ``backend.format=format``.
    """

    name: str = MISSING
    hub_id: str = MISSING
    revision: str = MISSING  # a commit sha pins it; a branch name is resolved and recorded
    format: str = MISSING  # a backend.format (harness/backends/importers/)
    files: list[str] = field(default_factory=list)  # allow_patterns of the snapshot download
    select: dict[str, Any] = field(default_factory=dict)  # column -> value kept
    fields: dict[str, str] = field(default_factory=dict)  # where each value sits in a row
    model: str = MISSING  # configs/model option the rows are attributed to
    benchmark: str = MISSING  # configs/benchmark option
    protocol: dict[str, Any] = field(default_factory=dict)  # n, temperature, max tokens, engine
    schema_from: str = MISSING  # the writer's code (repository, file, commit) or a file it wrote
    verified: str = MISSING  # what of hub_id/revision was checked, and how


@dataclass
class RunConfig:
    """The root config composed by ``configs/config.yaml``."""

    benchmark: Any = MISSING
    model: Any = MISSING
    sampling: Any = MISSING
    backend: Any = MISSING
    tracking: Any = MISSING
    grading: GradingConfig = field(default_factory=GradingConfig)
    stats: StatsConfig = field(default_factory=StatsConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    limit: int | None = None  # evaluate only the first N problems
    seed: int = 0
    results_dir: str = "results"
    run_id: str = MISSING
    hardware: Any = None  # a configs/hardware option: GPU type for plans and launchers
    evidence: EvidenceConfig | None = None  # a configs/evidence option: a public data set


def register() -> None:
    """Register the schemas under ``schema/`` in Hydra's ConfigStore (idempotent)."""
    cs = ConfigStore.instance()
    cs.store(name="run_schema", node=RunConfig)
    cs.store(group="schema/benchmark", name="benchmark", node=BenchmarkConfig, package="benchmark")
    cs.store(
        group="schema/benchmark", name="lm_eval_task", node=LmEvalTaskConfig, package="benchmark"
    )
    cs.store(group="schema/model", name="model", node=ModelConfig, package="model")
    cs.store(group="schema/sampling", name="sampling", node=SamplingConfig, package="sampling")
    cs.store(group="schema/backend", name="replay", node=ReplayBackendConfig, package="backend")
    cs.store(group="schema/evidence", name="evidence", node=EvidenceConfig, package="evidence")
    cs.store(group="schema/backend", name="vllm", node=VllmBackendConfig, package="backend")
    cs.store(
        group="schema/backend", name="openai_api", node=OpenAIAPIBackendConfig, package="backend"
    )
    cs.store(group="schema/backend", name="lm_eval", node=LmEvalBackendConfig, package="backend")
    cs.store(group="schema/tracking", name="tracking", node=TrackingConfig, package="tracking")
    cs.store(group="schema/hardware", name="hardware", node=HardwareConfig, package="hardware")
    from harness.plan.resources import register_resolvers  # ${harness_job:...} in launchers

    register_resolvers()
    from harness.models.dryrun import register_resolvers as register_dryrun_resolvers

    register_dryrun_resolvers()  # ${harness_data:...}: the bundled 5-problem copies
    from harness.store.run_dir import register_resolvers as register_run_dir_resolvers

    register_run_dir_resolvers()  # ${harness_name:...}, ${harness_run_token:} in run_id
    from harness.config.groups import register_resolvers as register_group_resolvers

    register_group_resolvers()  # ${harness_groups:} in hydra.help.template
