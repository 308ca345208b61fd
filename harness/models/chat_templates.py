r"""R1-style chat templates: the structure of the DeepSeek-R1-Distill tokenizers' Jinja template.

The distills' ``tokenizer_config.json`` renders: ``bos_token`` + the system prompt (if any),
each user turn as ``<｜User｜>`` + content, each assistant turn as ``<｜Assistant｜>`` + the text
after its last ``</think>`` + ``<｜end▁of▁sentence｜>``, and as generation prompt
``<｜Assistant｜>``. Around 2025-02-09 the hub template changed the generation prompt
to ``<｜Assistant｜><think>\n``
(docs/protocol.md §1). Tool-call branches of the real template are left out: the harness never
sends tools.
"""

from __future__ import annotations

BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"
USER = "<｜User｜>"
ASSISTANT = "<｜Assistant｜>"
THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"

_HEAD = (
    "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}"
    "{% endif %}{% set ns = namespace(system_prompt='') %}"
    "{%- for message in messages %}{%- if message['role'] == 'system' %}"
    "{% set ns.system_prompt = message['content'] %}{%- endif %}{%- endfor %}"
    "{{bos_token}}{{ns.system_prompt}}"
    "{%- for message in messages %}"
    "{%- if message['role'] == 'user' %}{{'<｜User｜>' + message['content']}}{%- endif %}"
    "{%- if message['role'] == 'assistant' %}{% set content = message['content'] %}"
    "{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}"
    "{{'<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>'}}{%- endif %}"
    "{%- endfor -%}"
)

R1_TEMPLATE_PRE_FEB_2025 = _HEAD + "{% if add_generation_prompt %}{{'<｜Assistant｜>'}}{% endif %}"
"""Generation prompt ``<｜Assistant｜>``: the model may open its own ``<think>`` (or skip it)."""

R1_TEMPLATE_POST_FEB_2025 = (
    _HEAD + "{% if add_generation_prompt %}{{'<｜Assistant｜><think>\\n'}}{% endif %}"
)
"""Generation prompt ``<｜Assistant｜><think>\\n``: the hub template since about 2025-02-09."""


def r1_chat_template(*, think_in_template: bool = True) -> str:
    """The R1-style template; ``think_in_template`` selects the post-Feb-2025 variant."""
    return R1_TEMPLATE_POST_FEB_2025 if think_in_template else R1_TEMPLATE_PRE_FEB_2025
