"""Build a tiny, randomly initialised model of the R1-distill architecture, on the fly.

The DeepSeek-R1-Distill-Qwen models are ``Qwen2ForCausalLM`` with an R1-style chat template
(docs/protocol.md §4). ``build_tiny_model`` writes a local Hugging Face model directory of the same
architecture at toy size (2 layers, hidden 128, 4 attention heads of size 32, 2 KV heads; vLLM's
CPU kernels need head size >= 32) and a byte-level BPE tokenizer trained with ``tokenizers`` on
benchmark text, carrying the distills' special tokens and chat template. Same spec and seed give
the same files, byte for byte. Nothing is downloaded.

Like the real distill tokenizer, the tokenizer prepends ``<｜begin▁of▁sentence｜>`` when encoding
with special tokens while the chat template already renders it, so a backend that tokenizes a
rendered prompt with ``add_special_tokens=True`` doubles the BOS (a real trap). ``</think>`` is a
special token by default (``special_think=True``), the harder case: a decode that skips special
tokens loses it (docs/packages.md §3).

Public API (also used by the vLLM tests): ``TinySpec``, ``build_tiny_model``,
``build_tiny_tokenizer``, ``ensure_tiny_model``, ``tiny_spec_from_extra``,
``bundled_problems_file``, ``corpus_from_jsonl``; training lives in ``harness.models.tiny_train``
(``build_trained_tiny_model``, ``train_tiny_model``, ``r1_response``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.data.prompts import GPQA_INSTRUCTION, MATH_INSTRUCTION
from harness.models.chat_templates import (
    ASSISTANT,
    BOS,
    EOS,
    THINK_CLOSE,
    THINK_OPEN,
    USER,
    r1_chat_template,
)
from harness.models.lock import build_lock

INSTALL_HINT = "pip install 'r1-harness[lm_eval,hf]'"
SPEC_FILE = "r1_harness_tiny.json"  # the spec a directory was built from; a changed spec rebuilds
_DATA = Path(__file__).resolve().parent / "data"
# transformers' models/qwen2/tokenization_qwen2.py PRETOKENIZE_REGEX (the Qwen2 tokenizer.json's).
QWEN2_PRETOKENIZE_REGEX = (
    r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
    r"""|\s*[\r\n]+|\s+(?!\S)|\s+"""
)


@dataclass(frozen=True)
class TinySpec:
    r"""What a tiny model is made of; every field changes the files written.

    Attributes:
        hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
        num_key_value_heads, max_position_embeddings: The Qwen2 shape (head size =
            hidden_size / num_attention_heads, kept >= 32).
        vocab_size: BPE vocabulary target (special tokens included).
        think_in_template: Post-Feb-2025 chat template (generation prompt ends ``<think>\n``).
        special_think: ``<think>``/``</think>`` are special tokens (skipped by
            ``decode(skip_special_tokens=True)``).
        seed: Seeds the weights.
        corpus: Extra tokenizer training text (benchmark problems); the instructions, the chat
            tokens and an R1-shaped response are always included.
    """

    hidden_size: int = 128
    intermediate_size: int = 256
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 4096
    vocab_size: int = 1024
    think_in_template: bool = True
    special_think: bool = True
    seed: int = 0
    corpus: tuple[str, ...] = field(default=(), repr=False)

    def digest(self) -> str:
        """sha256 of the spec (corpus included), to tell a stale cached build."""
        blob = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()


def _imports() -> tuple[Any, Any, Any]:
    try:
        import tokenizers
        import torch
        import transformers
    except ImportError as exc:
        raise ImportError(
            f"building the tiny model needs torch, transformers and tokenizers ({exc}); "
            f"install them with {INSTALL_HINT}"
        ) from None
    return torch, transformers, tokenizers


def bundled_problems_file(name: str = "math500") -> Path:
    """A bundled 5-problem JSONL copy (``math500`` or ``aime24``; see data/SOURCES.md)."""
    return _DATA / f"{name}_first5.jsonl"


def corpus_from_jsonl(path: str | Path, field_name: str = "problem") -> tuple[str, ...]:
    r"""The ``field_name`` texts of a JSONL file (split on ``\n`` only: texts may hold U+2028)."""
    with Path(path).open(encoding="utf-8") as handle:
        return tuple(json.loads(line)[field_name] for line in handle if line.strip())


def _base_corpus() -> list[str]:
    shaped = (
        f"{BOS}{USER}What is 1+2?\n{MATH_INSTRUCTION}{ASSISTANT}{THINK_OPEN}\n"
        f"We add the numbers.\n{THINK_CLOSE}\n\nThe answer is \\boxed{{3}}.{EOS}"
    )
    return [MATH_INSTRUCTION, GPQA_INSTRUCTION, shaped, "0123456789 +-*/=^_{}()[]$\\,.;:"]


def _train_tokenizer(spec: TinySpec, tokenizers: Any) -> Any:
    from tokenizers import (
        AddedToken,
        Regex,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )

    tok = tokenizers.Tokenizer(models.BPE())
    # Qwen2's own normalizer and pre-tokenizer, so transformers' Qwen2Tokenizer (which
    # AutoTokenizer may pick from config.json) tokenizes exactly as tokenizer.json does.
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN2_PRETOKENIZE_REGEX), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    chat = [BOS, EOS, USER, ASSISTANT]
    think = [THINK_OPEN, THINK_CLOSE]
    trainer = trainers.BpeTrainer(
        vocab_size=spec.vocab_size,
        special_tokens=chat + (think if spec.special_think else []),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    texts = _base_corpus() + list(spec.corpus)
    tok.train_from_iterator(texts, trainer, length=len(texts))
    if not spec.special_think:
        tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in think])
    bos_id = tok.token_to_id(BOS)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos_id)]
    )
    return tok


def build_tiny_tokenizer(spec: TinySpec | None = None) -> Any:
    """The tiny model's tokenizer alone (in memory): R1 special tokens and chat template.

    Returns:
        A ``transformers.PreTrainedTokenizerFast``.
    """
    spec = spec or TinySpec()
    _, transformers, tokenizers = _imports()
    hf_tok = transformers.PreTrainedTokenizerFast(
        tokenizer_object=_train_tokenizer(spec, tokenizers),
        bos_token=BOS,
        eos_token=EOS,
        pad_token=EOS,
        model_max_length=spec.max_position_embeddings,
        clean_up_tokenization_spaces=False,
    )
    hf_tok.chat_template = r1_chat_template(think_in_template=spec.think_in_template)
    return hf_tok


def build_tiny_model(out_dir: str | Path, spec: TinySpec | None = None) -> Path:
    """Write a randomly initialised tiny Qwen2 + R1-style tokenizer to ``out_dir``.

    Args:
        out_dir: Target directory (created; existing files are overwritten).
        spec: Shape, template variant, seed and tokenizer corpus; default ``TinySpec()``.

    Returns:
        ``out_dir``, holding config.json, model.safetensors, generation_config.json,
        tokenizer.json, tokenizer_config.json (with ``chat_template``) and ``SPEC_FILE``.
    """
    spec = spec or TinySpec()
    torch, transformers, _ = _imports()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    hf_tok = build_tiny_tokenizer(spec)
    hf_tok.save_pretrained(out)
    _template_into_config(out, hf_tok.chat_template)

    torch.manual_seed(spec.seed)
    config = transformers.Qwen2Config(
        vocab_size=len(hf_tok),
        hidden_size=spec.hidden_size,
        intermediate_size=spec.intermediate_size,
        num_hidden_layers=spec.num_hidden_layers,
        num_attention_heads=spec.num_attention_heads,
        num_key_value_heads=spec.num_key_value_heads,
        max_position_embeddings=spec.max_position_embeddings,
        rope_theta=10000.0,
        rms_norm_eps=1e-6,
        tie_word_embeddings=False,  # as in DeepSeek-R1-Distill-Qwen-1.5B
        bos_token_id=hf_tok.bos_token_id,
        eos_token_id=hf_tok.eos_token_id,
        pad_token_id=hf_tok.pad_token_id,
    )
    model = transformers.Qwen2ForCausalLM(config).to(torch.float32)
    # As the distills ship it: sampling defaults that a backend must override explicitly.
    model.generation_config = transformers.GenerationConfig(
        bos_token_id=hf_tok.bos_token_id,
        eos_token_id=hf_tok.eos_token_id,
        do_sample=True,
        temperature=0.6,
        top_p=0.95,
    )
    model.save_pretrained(out)
    (out / SPEC_FILE).write_text(
        json.dumps({"digest": spec.digest(), "spec": asdict(spec) | {"corpus": len(spec.corpus)}})
    )
    return out


def _template_into_config(out: Path, template: str) -> None:
    """Keep the template inside tokenizer_config.json, as the distills ship it.

    transformers 5 writes it to chat_template.jinja by default (which wins when loading); we
    write it to tokenizer_config.json and drop the separate file, so the directory has the hub's
    layout.
    """
    cfg_path = out / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
    cfg["chat_template"] = template
    # As the distills ship it; without it transformers' Qwen2Tokenizer adds "<|endoftext|>" as
    # its default unk token, one id past the model's vocabulary.
    cfg["unk_token"] = None
    cfg_path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "chat_template.jinja").unlink(missing_ok=True)


def is_built(out_dir: str | Path, spec: TinySpec) -> bool:
    """Whether ``out_dir`` holds a build of exactly ``spec``."""
    marker = Path(out_dir) / SPEC_FILE
    if not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text())["digest"] == spec.digest()
    except (ValueError, KeyError):
        return False


def ensure_tiny_model(out_dir: str | Path, spec: TinySpec | None = None) -> Path:
    """``build_tiny_model`` unless ``out_dir`` already holds a build of the same spec.

    Never overwrites a directory it did not build: one holding files but no untrained tiny
    build (a real model, a trained tiny model) is left as it is and used as it is. Processes that
    ask for the same directory at once (the jobs of a ``-m`` sweep) build it one at a time
    (a lock file beside it): without that, a second job could find the first one's half-written
    directory, take it for a model it must not touch, and load it.
    """
    spec = spec or TinySpec()
    out = Path(out_dir)
    if is_built(out, spec):
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(out.parent / f".{out.name}.lock"):
        if is_built(out, spec):
            return out
        if out.is_dir() and any(out.iterdir()) and not _untrained_build(out):
            return out
        return build_tiny_model(out, spec)


def _untrained_build(out: Path) -> bool:
    marker = out / SPEC_FILE
    try:
        return not json.loads(marker.read_text()).get("trained", False)
    except (OSError, ValueError):
        return False


def mark_trained(out_dir: str | Path, report: dict[str, Any]) -> None:
    """Record in the build marker that the weights were trained (so no rebuild replaces them)."""
    marker = Path(out_dir) / SPEC_FILE
    data = json.loads(marker.read_text()) if marker.is_file() else {}
    marker.write_text(json.dumps(data | {"trained": True, "training": report}))


def spec_for_problems(texts: Iterable[str], **overrides: Any) -> TinySpec:
    """A ``TinySpec`` whose tokenizer is trained on these problem texts."""
    return TinySpec(corpus=tuple(texts), **overrides)


def spec_fields() -> Sequence[str]:
    """Names of the ``TinySpec`` fields (for configs that set them)."""
    return [f for f in TinySpec.__dataclass_fields__ if f != "corpus"]


def tiny_spec_from_extra(extra: dict[str, Any]) -> TinySpec:
    """The spec a model config asks for (``model.extra``: any ``TinySpec`` field by name).

    The tokenizer corpus is the bundled MATH-500 and AIME 2024 problems, so the build does not
    depend on which benchmark the run evaluates.
    """
    fields = {k: extra[k] for k in spec_fields() if k in extra}
    corpus = corpus_from_jsonl(bundled_problems_file("math500")) + corpus_from_jsonl(
        bundled_problems_file("aime24")
    )
    return TinySpec(corpus=corpus, **fields)
