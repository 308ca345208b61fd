"""Typed reads from YAML nodes that keep their line numbers.

PyYAML's ``compose`` returns nodes with a ``start_mark``; reading fields through :class:`Fields`
turns every type error, missing key, unknown key and duplicate key into a :class:`ClaimError`
naming the file, the line and the key.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml

from harness.claims.errors import ClaimError

_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
R = TypeVar("R")


def line_of(node: yaml.Node) -> int:
    """1-based line where ``node`` starts."""
    return node.start_mark.line + 1


def compose_file(path: Path) -> yaml.MappingNode:
    """Parse ``path`` into a node tree whose root must be a mapping."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ClaimError(path, mark.line + 1 if mark else 0, "", f"invalid YAML: {exc}") from exc
    if not isinstance(root, yaml.MappingNode):
        raise ClaimError(path, line_of(root) if root else 0, "", "top level must be a mapping")
    return root


class Fields:
    """Read the keys of one mapping node, each at most once, with type checks.

    Args:
        path: File the node came from (for errors).
        node: The mapping node.
        prefix: Dotted key path of the mapping itself (``"source"``), prefixed to key names.
    """

    def __init__(self, path: Path, node: yaml.Node, prefix: str = "") -> None:
        self.path = path
        self.node = node
        self.prefix = prefix
        if not isinstance(node, yaml.MappingNode):
            raise ClaimError(path, line_of(node), prefix, "expected a mapping")
        self._items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in self._items:
                raise ClaimError(path, line_of(key_node), self.name(key), "duplicate key")
            self._items[key] = (key_node, value_node)
        self._read: set[str] = set()

    @property
    def line(self) -> int:
        """Line where the mapping starts."""
        return line_of(self.node)

    def name(self, key: str) -> str:
        """Dotted name of ``key`` for messages."""
        return f"{self.prefix}.{key}" if self.prefix else key

    def error(self, key: str, reason: str) -> ClaimError:
        """A :class:`ClaimError` at ``key``'s value (or at the mapping when absent)."""
        item = self._items.get(key)
        return ClaimError(
            self.path, line_of(item[1]) if item else self.line, self.name(key), reason
        )

    def present_keys(self) -> list[str]:
        """The keys present, in file order."""
        return list(self._items)

    def has(self, key: str) -> bool:
        """Whether ``key`` is present."""
        return key in self._items

    def node_of(self, key: str) -> yaml.Node:
        """The value node of a required ``key``."""
        if key not in self._items:
            raise self.error(key, "missing required key")
        self._read.add(key)
        return self._items[key][1]

    def text(self, key: str, default: Any = ..., choices: tuple[str, ...] = ()) -> Any:
        """A string value; ``default`` makes the key optional."""
        if default is not ... and key not in self._items:
            return default
        node = self.node_of(key)
        if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"):
            raise self.error(key, "expected a string")
        if not node.value.strip():
            raise self.error(key, "must not be empty")
        if choices and node.value not in choices:
            raise self.error(key, f"{node.value!r} is not one of {', '.join(choices)}")
        return node.value

    def number(self, key: str, default: Any = ...) -> Any:
        """An int or float value (booleans rejected); ``default`` makes the key optional."""
        if default is not ... and key not in self._items:
            return default
        node = self.node_of(key)
        if not (isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS):
            raise self.error(key, f"expected a number, got {node.value!r}")
        return float(yaml.safe_load(node.value))

    def integer(self, key: str, default: Any = ...) -> Any:
        """A positive integer value; ``default`` makes the key optional."""
        if default is not ... and key not in self._items:
            return default
        node = self.node_of(key)
        if not (isinstance(node, yaml.ScalarNode) and node.tag == _NUMBER_TAGS[0]):
            raise self.error(key, f"expected an integer, got {node.value!r}")
        value = int(yaml.safe_load(node.value))
        if value < 1:
            raise self.error(key, "must be at least 1")
        return value

    def flag(self, key: str, default: bool) -> bool:
        """A boolean value, ``default`` when absent."""
        if key not in self._items:
            return default
        node = self.node_of(key)
        if not (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool"):
            raise self.error(key, f"expected true or false, got {node.value!r}")
        return bool(yaml.safe_load(node.value))

    def sub(self, key: str) -> Fields:
        """The mapping under a required ``key``."""
        return Fields(self.path, self.node_of(key), self.name(key))

    def seq(self, key: str) -> list[yaml.Node]:
        """The items of a required sequence ``key``."""
        node = self.node_of(key)
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(key, "expected a list")
        return list(node.value)

    def done(self) -> None:
        """Reject keys that were never read (typos, keys of another kind)."""
        for key, (key_node, _) in self._items.items():
            if key not in self._read:
                raise ClaimError(self.path, line_of(key_node), self.name(key), "unknown key")


def keyed_records(
    path: Path,
    list_key: str,
    parse: Callable[[Fields], R],
    key: Callable[[R], str],
    key_field: str,
    duplicate: str,
) -> dict[str, R]:
    """The records of the list ``list_key`` in ``path``, by key; a repeated key is an error.

    Args:
        path: The YAML file (its root must be a mapping holding only ``list_key``).
        list_key: The key of the list of records.
        parse: Reads one record from its ``Fields``; the record has a ``location``.
        key: The record's key.
        key_field: The YAML key a duplicate error names.
        duplicate: The error's words before "(first at FILE:LINE)".

    Raises:
        ClaimError: From ``parse``, or on a duplicate key, naming its line.
    """
    root = Fields(path, compose_file(path))
    out: dict[str, R] = {}
    for node in root.seq(list_key):
        record = parse(Fields(path, node))
        if key(record) in out:
            first = out[key(record)].location  # type: ignore[attr-defined]
            line = record.location.line  # type: ignore[attr-defined]
            raise ClaimError(path, line, key_field, f"{duplicate} (first at {first})")
        out[key(record)] = record
    root.done()
    return out
