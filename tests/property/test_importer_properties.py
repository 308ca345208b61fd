"""Random valid, malformed and adversarial logs fed to every importer (``FORMATS``).

Oracle, for every log: the replay backend either returns the right completions or raises a
``HarnessError`` whose first line names the log file (the CLI prints that line and exits 2);
anything else would reach the user as a traceback. "Right" is exact for a valid log: the same
(problem, sample, text, finish reason) as our own replay rows of the same texts, so grading
gives the same per-sample verdicts. For a damaged log, every accepted completion is one of the
original samples at its own place, or a new text in the one record that was damaged; never an
original text moved to another problem or sample, never a token count below 0. (A
parquet's compressed pages share bytes between rows, so there one flip may alter several.)

The backend is called as the pipeline calls it (``build_backend`` on the composed config); the
CLI's end-to-end path (exit status, no traceback) is ``test_cli_properties.py``.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

from harness.backends.base import build_backend
from harness.data.loader import load_benchmark
from harness.errors import HarnessError
from harness.models.tiny import bundled_problems_file
from tests.conftest import compose
from tests.helpers import tool_logs
from tests.property import logs

N = 3  # samples per problem (NeMo-Skills writes one file per seed: three)
LIMIT = 2
FINISH = ("stop", "length", "content_filter", "unknown")


def base(benchmark: str) -> list[str]:
    return [f"benchmark={benchmark}", f"benchmark.source={bundled_problems_file(benchmark)}",
            f"limit={LIMIT}", f"sampling.n={N}", "backend=replay"]  # fmt: skip


_PROBLEMS: dict[str, list] = {}


def problems(benchmark: str) -> list:
    if benchmark not in _PROBLEMS:
        _PROBLEMS[benchmark], _ = load_benchmark(compose(base(benchmark)).benchmark, limit=LIMIT)
    return _PROBLEMS[benchmark]


@functools.cache
def _config(benchmark: str, overrides: tuple[str, ...]):
    """The composed config (composing costs ~0.5 s: once per format and override set)."""
    return compose([*base(benchmark), "backend.path=PLACEHOLDER", *overrides])


@functools.cache
def _all_ids(benchmark: str) -> frozenset[str]:
    everything, _ = load_benchmark(_config(benchmark, ()).benchmark, limit=None)
    return frozenset(p.id for p in everything)


def replay(fmt: logs.Format, path: Path, extra: Sequence[str] = ()):
    """``(completions, None)`` or ``(None, error)`` as the pipeline's replay stage reads them."""
    cfg = copy.deepcopy(_config(fmt.benchmark, (*fmt.overrides, *extra)))
    cfg.backend.path = str(path)
    try:
        backend = build_backend(cfg)
        out = backend.generate(problems(fmt.benchmark), all_ids=set(_all_ids(fmt.benchmark)), n=N)
    except HarnessError as exc:
        return None, exc
    return out.completions, None


def key(c) -> tuple:
    return c.problem_id, c.sample_index, c.response, c.finish_reason


# --- texts: R1-shaped pieces with the characters that break naive readers ---------------------
ODD = '\u00e9\u4e2d\u200b\u2028\u2029\ufeff\x00\t\r\\"{}[]$\U0001f600'
piece = st.text(alphabet=st.sampled_from(ODD + "ab 1\n"), max_size=12)


@st.composite
def sample(draw, gold: str) -> logs.Sample:
    box = draw(st.sampled_from([f"\\boxed{{{gold}}}", "\\boxed{7}", "", "\\boxed{", "ANSWER: 3"]))
    think = draw(st.sampled_from(["<think>\n", "", "<think>"]))
    close = draw(st.sampled_from(["</think>\n\n", "", "</think>"]))
    text = f"{think}{draw(piece)}{close}{draw(piece)} {box}".strip() or "x"
    finish = draw(st.sampled_from(("stop", "length")))
    return text, finish, tool_logs.MAX_TOKENS if finish == "length" else draw(st.integers(1, 63))


@st.composite
def samples(draw, benchmark: str) -> dict[str, list[logs.Sample]]:
    return {p.id: [draw(sample(p.gold)) for _ in range(N)] for p in problems(benchmark)}


def folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="props-"))


def expected(fmt: logs.Format, got: dict[str, list[logs.Sample]], where: Path) -> list[tuple]:
    """Our own replay of the same texts (without finish reasons where the log records none)."""
    path = logs.ours(problems(fmt.benchmark), got, where, finish=fmt.finish)
    ours, error = (
        replay(logs.FORMATS[0], path)
        if fmt.benchmark == "math500"
        else replay(logs.Format("replay", "aime24", logs.ours), path)
    )
    assert error is None, error
    return [key(c) for c in ours]


FORMAT = st.sampled_from(logs.FORMATS)


@pytest.mark.parametrize("fmt", logs.FORMATS, ids=lambda f: f.name)
@given(data=st.data())
def test_a_valid_log_reads_as_our_replay_of_the_same_texts(fmt, data):
    got = data.draw(samples(fmt.benchmark))
    where = folder()
    try:
        path = fmt.write(problems(fmt.benchmark), got, where / "log")
        completions, error = replay(fmt, path)
        assert error is None, f"a valid {fmt.name} log was refused: {error}"
        assert [key(c) for c in completions] == expected(fmt, got, where)
        assert all(c.n_generated_tokens is None or c.n_generated_tokens >= 0 for c in completions)
    finally:
        shutil.rmtree(where, ignore_errors=True)


# --- damage: one change to a valid log --------------------------------------------------------
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**12) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=5,
)  # fmt: skip
INSERTS = [b"\xff", b"\xc3", b"\x00", b",", b"}", b"\n", b'"', b"\xef\xbb\xbf"]
APPENDS = [b"{", b"[]\n", b"\n\n", b"null\n", b'{"a": 1}\n', b"\xff\xfe"]
WHOLES = [b"", b"[]", b"{}", b"null", b"\xff\xfe\x00", b"PAR1", b"PK\x03\x04"]


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _set_path(obj, path: list, value):
    node = obj
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _paths(obj, prefix=()) -> list[tuple]:
    out = []
    items: Any = []
    if isinstance(obj, dict):
        items = obj.items()
    elif isinstance(obj, list):
        items = enumerate(obj)
    for k, v in items:
        out.append((*prefix, k))
        out.extend(_paths(v, (*prefix, k)))
    return out


@st.composite
def damage(draw, data: bytes, text_file: bool, none: bool = False):
    """``(name, new bytes)``: one byte-level or field-level change to a log (or, with ``none``,
    possibly no change: the valid log itself)."""
    kinds = ["truncate", "flip", "insert", "append", "whole"] + (["none"] if none else [])
    if text_file:
        kinds += ["field", "field", "drop_line", "dup_line", "swap_lines"]
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return "no change", data
    if kind == "truncate":
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        return f"truncate@{at}", data[:at]
    if kind == "flip":
        at = draw(st.integers(0, len(data) - 1))
        bit = draw(st.integers(0, 7))
        return f"flip@{at}.{bit}", data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :]
    if kind == "insert":
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from(INSERTS))
        return f"insert@{at}:{junk!r}", data[:at] + junk + data[at:]
    if kind == "append":
        junk = draw(st.sampled_from(APPENDS))
        return f"append:{junk!r}", data + junk
    if kind == "whole":
        new = draw(st.sampled_from(WHOLES))
        return f"whole:{new!r}", new
    lines = _lines(data)
    i = draw(st.integers(0, len(lines) - 1))
    if kind == "drop_line":
        return f"drop line {i + 1}", b"".join(lines[:i] + lines[i + 1 :])
    if kind == "dup_line":
        return f"dup line {i + 1}", b"".join(lines[: i + 1] + lines[i:])
    if kind == "swap_lines":
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        return f"swap lines {i + 1},{j + 1}", b"".join(lines)
    text = data.decode("utf-8")
    try:
        doc = json.loads(text)  # a whole-file JSON document (SkyThought's results.json)
        whole = True
    except json.JSONDecodeError:
        doc, whole = json.loads(text.splitlines()[i]), False
    paths = _paths(doc)
    if not paths:
        return "no field", data
    path = list(draw(st.sampled_from(paths)))
    value = draw(JSON)
    _set_path(doc, path, value)
    new = json.dumps(doc) + ("\n" if not whole else "")
    if whole:
        return f"field {path}={value!r}", new.encode()
    text_lines = text.splitlines(keepends=True)
    text_lines[i] = new
    return f"line {i + 1} field {path}={value!r}", "".join(text_lines).encode()


def check_damaged(
    original: list[tuple], completions, path: Path, error, *, binary: bool = False
) -> None:
    if error is not None:
        first = str(error).splitlines()[0] if str(error) else ""
        assert path.name in first or str(path) in first or path.parent.name in first, (
            f"the error does not name the log: {error}"
        )
        return
    got = [key(c) for c in completions]
    where = {(p, j): rest for p, j, *rest in original}
    places = {(p, j) for p, j, *_ in got}
    assert places == set(where), f"samples moved or lost: {sorted(places ^ set(where))}"
    texts = {t for _, _, t, _ in original}
    changed = [g for g in got if tuple(g[2:]) != tuple(where[g[0], g[1]])]
    assert all(g[2] not in texts or g[2] == where[g[0], g[1]][0] for g in changed), (
        f"an original text was read as another sample's: {changed}"
    )
    # a text log holds each value once; a parquet's compressed pages share bytes between rows
    assert binary or len({g[0] for g in changed}) <= 1, f"one change altered several: {changed}"
    assert all(c.finish_reason in FINISH for c in completions)
    assert all(
        c.n_generated_tokens is None
        or (isinstance(c.n_generated_tokens, int) and c.n_generated_tokens >= 0)
        for c in completions
    )


@given(fmt=FORMAT, data=st.data())
def test_a_damaged_log_is_read_right_or_refused_naming_its_file(fmt, data):
    got = data.draw(samples(fmt.benchmark))
    where = folder()
    try:
        path = fmt.write(problems(fmt.benchmark), got, where / "log")
        original = expected(fmt, got, where)
        raw = path.read_bytes()
        binary = raw.startswith(b"PAR1")
        what, new = data.draw(damage(raw, text_file=not binary))
        note(f"{fmt.name}: {what}")
        event(what.split("@")[0].split(" ")[0])
        path.write_bytes(new)
        completions, error = replay(fmt, path)
        check_damaged(original, completions, path, error, binary=binary)
    finally:
        shutil.rmtree(where, ignore_errors=True)


@given(fmt=FORMAT, read_as=st.sampled_from([f.name for f in logs.FORMATS]), data=st.data())
def test_a_log_read_as_another_format_is_refused_or_read_right(fmt, read_as, data):
    """``backend.format`` naming the wrong reader (a parquet read as JSONL, …)."""
    got = data.draw(samples(fmt.benchmark))
    where = folder()
    try:
        path = fmt.write(problems(fmt.benchmark), got, where / "log")
        original = expected(fmt, got, where)
        completions, error = replay(fmt, path, [f"backend.format={read_as}"])
        check_damaged(original, completions, path, error)
    finally:
        shutil.rmtree(where, ignore_errors=True)


os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
