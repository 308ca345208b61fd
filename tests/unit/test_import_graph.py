"""The ``harness`` package has no import cycle, counting imports made inside functions too.

A lazy import (inside a function) hides a cycle from Python but not from the reader: the two
modules still depend on each other. The graph is built from the source with ``ast``, so heavy
modules (vllm, lm_eval, torch) are never imported. Imports under ``if TYPE_CHECKING:`` are left
out of that graph: they name types for annotations and never run. A second, text-level graph
reads every ``import harness.x`` / ``from harness.x import y`` line as a reader does (lazy and
``TYPE_CHECKING`` ones included) and must have no cycle either.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import harness

ROOT = Path(harness.__file__).resolve().parent
PACKAGE = "harness"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(target: str, known: dict[str, Path]) -> str | None:
    """The longest known module that ``target`` names (``a.b.f`` -> ``a.b`` if ``f`` is a name)."""
    while target:
        if target in known:
            return target
        target = target.rpartition(".")[0]
    return None


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except the bodies of ``if TYPE_CHECKING:`` blocks."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        if _type_checking(node):
            todo.extend(node.orelse)  # type: ignore[attr-defined]
        else:
            todo.extend(ast.iter_child_nodes(node))
    return out


def _imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every ``harness`` module that ``path`` imports, at top level or inside a function."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from a import b`` imports module ``a.b`` when it is one, else a name of ``a``.
            targets = [f"{base}.{alias.name}" for alias in node.names] or [base]
        for target in targets:
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                module = _resolve(target, known)
                if module is not None and module != name:
                    found.add(module)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module name -> the ``harness`` modules it imports."""
    known = _modules()
    return {name: _imports(name, path, known) for name, path in known.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path ``[a, b, ..., a]``, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for start in sorted(graph):
        if state.get(start):
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def test_find_cycle_finds_a_planted_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_graph_sees_imports_inside_functions() -> None:
    graph = import_graph()
    # harness.pipeline imports the lm-eval task runner inside a function, never at top level.
    assert "harness.backends.lm_eval.task" in graph["harness.pipeline"]


def test_graph_leaves_out_type_checking_imports() -> None:
    graph = import_graph()
    # harness.backends.lm_eval.task names config types only for annotations (TYPE_CHECKING).
    assert "harness.config.schema" not in graph["harness.backends.lm_eval.task"]
    assert "harness.config.schema" in text_import_graph()["harness.backends.lm_eval.task"]


def test_harness_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


_FROM = re.compile(r"^\s*from\s+(harness(?:\.\w+)*)\s+import\s+(\(?)(.*)$")
_IMPORT = re.compile(r"^\s*import\s+(harness(?:\.\w+)*(?:\s*,\s*harness(?:\.\w+)*)*)")


def _text_imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every ``harness`` module an import line of ``path`` names, wherever the line stands."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: set[str] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        targets: list[str] = []
        if m := _FROM.match(line):
            base, paren, rest = m.groups()
            names = rest
            while paren and ")" not in names and i + 1 < len(lines):
                i += 1
                names += " " + lines[i]
            names = names.split("#")[0].strip(" ()\\")
            targets = [f"{base}.{n.split()[0]}" for n in names.split(",") if n.strip()] or [base]
        elif m := _IMPORT.match(line):
            targets = [t.strip() for t in m.group(1).split(",")]
        for target in targets:
            module = _resolve(target, known)
            if module is not None and module != name:
                found.add(module)
        i += 1
    return found


def text_import_graph() -> dict[str, set[str]]:
    """Module name -> the ``harness`` modules its import lines name (TYPE_CHECKING included)."""
    known = _modules()
    return {name: _text_imports(name, path, known) for name, path in known.items()}


def test_text_graph_reads_multiline_and_lazy_imports(tmp_path: Path) -> None:
    known = {"harness.a": tmp_path / "a.py", "harness.b": tmp_path / "b.py", "harness": ROOT}
    known["harness.c"] = tmp_path / "c.py"
    src = tmp_path / "a.py"
    src.write_text(
        "from harness import (\n    b,  # note\n)\ndef f():\n    import harness.c\n",
        encoding="utf-8",
    )
    assert _text_imports("harness.a", src, known) == {"harness.b", "harness.c"}


def test_text_level_reading_has_no_import_cycle() -> None:
    cycle = find_cycle(text_import_graph())
    assert cycle is None, "import cycle (text level): " + " -> ".join(cycle or [])
