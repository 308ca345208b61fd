"""A model's shape, read from its config (``model.extra``), and the memory it implies.

No weights are needed: the architecture facts in ``configs/model/*.yaml`` (layers, heads, KV
heads, hidden size, parameter count) decide weights memory and KV cache per token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GIB = 2**30

# Bytes per element of the dtype names used in model configs and vLLM's --dtype/--kv-cache-dtype.
DTYPE_BYTES = {
    "float32": 4,
    "float": 4,
    "bfloat16": 2,
    "float16": 2,
    "half": 2,
    "fp8": 1,
    "float8_e4m3fn": 1,
    "fp8_e4m3": 1,
    "fp8_e5m2": 1,
    "int8": 1,
    "int4": 0.5,  # AWQ/GPTQ 4-bit (scales add a few %, ignored)
}


@dataclass(frozen=True)
class Architecture:
    """The facts about a model that decide where it fits.

    Attributes:
        name: The model config's name.
        n_params: All weights (embeddings included).
        num_layers: Transformer layers.
        hidden_size: Model width.
        num_heads: Attention (query) heads.
        num_kv_heads: Key/value heads (GQA); equal to ``num_heads`` without GQA.
        intermediate_size: MLP width.
        vocab_size: Vocabulary size.
        context: Longest sequence the model supports (``max_position_embeddings``).
        weight_dtype: Dtype of the stored weights (FP8 for DeepSeek-V3/R1).
        kv_dtype: Dtype of the KV cache (the compute dtype unless set).
        mla_dim: Multi-head latent attention (DeepSeek-V3/R1): cached values per token and
            layer (``kv_lora_rank + qk_rope_head_dim``), the same on every TP rank; 0 otherwise.
    """

    name: str
    n_params: int
    num_layers: int
    hidden_size: int
    num_heads: int
    num_kv_heads: int
    intermediate_size: int
    vocab_size: int
    context: int
    weight_dtype: str = "bfloat16"
    kv_dtype: str = "bfloat16"
    mla_dim: int = 0

    @property
    def head_dim(self) -> int:
        """Per-head width (hidden size / heads, as in Qwen2 and Llama configs)."""
        return self.hidden_size // self.num_heads

    @property
    def weight_bytes(self) -> float:
        """Memory of all weights: n_params × bytes(weight dtype)."""
        return self.n_params * DTYPE_BYTES[self.weight_dtype]

    def kv_heads_per_rank(self, tp: int) -> int:
        """KV heads each tensor-parallel rank holds.

        vLLM's ``QKVParallelLinear`` splits KV heads when ``tp < num_kv_heads`` and replicates
        them (one per rank) when ``tp >= num_kv_heads`` (vllm/model_executor/layers/linear.py).
        """
        return max(1, self.num_kv_heads // tp)

    def kv_bytes_per_token(self, tp: int = 1) -> float:
        """KV cache one token needs on one tensor-parallel rank (all layers).

        Standard attention: 2 (K and V) × layers × KV heads per rank × head_dim × bytes.
        MLA: layers × (kv_lora_rank + rope dim) × bytes, replicated on every rank.
        """
        kv = DTYPE_BYTES[self.kv_dtype]
        if self.mla_dim:
            return self.num_layers * self.mla_dim * kv
        return 2 * self.num_layers * self.kv_heads_per_rank(tp) * self.head_dim * kv


class NotPlannable(ValueError):
    """The model config has no architecture facts (an API model, or a config without extra)."""


def architecture(model: Mapping[str, Any], kv_cache_dtype: str | None = None) -> Architecture:
    """Read the architecture from a model config node.

    Args:
        model: ``cfg.model`` (a DictConfig or a plain mapping).
        kv_cache_dtype: vLLM's ``kv_cache_dtype`` when not "auto"; default: the compute dtype.

    Returns:
        The architecture.

    Raises:
        NotPlannable: The config has no ``extra.n_params`` (API models are billed per token).
    """
    extra = dict(model.get("extra") or {})
    if "n_params" not in extra:
        raise NotPlannable(
            f"model {model.get('name')!r} has no architecture facts (extra.n_params): "
            "an API model or a config without them; nothing to fit on GPUs"
        )
    dtype = str(model.get("dtype") or "bfloat16")
    context = model.get("context_length") or extra["max_position_embeddings"]
    mla = int(extra.get("kv_lora_rank", 0)) + int(extra.get("qk_rope_head_dim", 0))
    return Architecture(
        name=str(model.get("name")),
        n_params=int(extra["n_params"]),
        num_layers=int(extra["num_hidden_layers"]),
        hidden_size=int(extra["hidden_size"]),
        num_heads=int(extra["num_attention_heads"]),
        num_kv_heads=int(extra.get("num_key_value_heads", extra["num_attention_heads"])),
        intermediate_size=int(extra["intermediate_size"]),
        vocab_size=int(extra["vocab_size"]),
        context=int(context),
        weight_dtype=str(extra.get("weight_dtype", dtype)),
        kv_dtype=kv_cache_dtype if kv_cache_dtype not in (None, "auto") else dtype,
        mla_dim=mla,
    )
