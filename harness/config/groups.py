"""The config groups a user picks from (``configs/<group>/<option>.yaml``), for ``--help``.

Hydra's own ``$APP_CONFIG_GROUPS`` also lists the internal ``schema/*`` groups that the typed
schema registers in the ConfigStore; a user never picks those, so ``--help`` lists these instead.
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf

from harness.config.paths import config_dir

# Groups that the root defaults list leaves out: they are added with ``+group=option``.
ADDED_WITH_PLUS = ("launcher",)


def user_groups(folder: Path | None = None) -> dict[str, list[str]]:
    """Group name -> its option names, from the folders of ``configs/`` (sorted)."""
    root = folder or config_dir()
    return {
        d.name: sorted(p.stem for p in d.glob("*.yaml"))
        for d in sorted(root.iterdir())
        if d.is_dir() and not d.name.startswith((".", "_")) and any(d.glob("*.yaml"))
    }


def groups_text(width: int = 100) -> str:
    """The groups as ``--help`` prints them: one group per line, its options wrapped below."""
    lines = []
    for group, options in user_groups().items():
        plus = "+" if group in ADDED_WITH_PLUS else ""
        head = f"  {plus}{group}="
        line = head
        for option in options:
            piece = option if line == head else f", {option}"
            if len(line) + len(piece) > width:
                lines.append(line + ",")
                line = " " * len(head) + option
            else:
                line += piece
        lines.append(line)
    return "\n".join(lines)


def register_resolvers() -> None:
    """Register ``${harness_groups:}`` (idempotent), used by ``hydra.help.template``."""
    if not OmegaConf.has_resolver("harness_groups"):
        OmegaConf.register_new_resolver("harness_groups", groups_text)
