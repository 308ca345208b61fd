"""Pure, total text helpers: the final section of a response, its status, the last box, letters.

Everything here is linear-time in the response length (``str.rfind`` and bounded scans, no regex
over the whole response), works on 10 MB strings and never raises.
"""

from __future__ import annotations

import re

from harness.types import VerdictStatus

THINK_END = "</think>"

# Longest text handed to a parser. Final sections are summaries; MATH-500 gold solutions, which
# are shaped like them, are 422 characters at the median and 3,356 at most (measured on the
# full MATH-500 file, docs/data.md §2). Longer texts are cut to their tail / last-box region.
MAX_PARSE_CHARS = 8_000

# Longest box content accepted. MATH-500 gold answers are at most 53 characters (measured as
# above); a longer box is junk or adversarial and is not an answer.
MAX_BOX_CHARS = 2_000

# How many boxes to try leftwards when the last one is unbalanced (math-verify's
# `extract_boxed_content` also walks right to left).
MAX_BOX_TRIES = 20


def final_section(response: str, reasoning: bool) -> str | None:
    """Return the part of a response that may hold the final answer.

    Args:
        response: The generated text.
        reasoning: True for R1-style models that think inside ``<think>…</think>``.

    Returns:
        For reasoning models, the text after the LAST ``</think>`` (None when the reasoning is
        never closed); for other models, the whole text.

    """
    if not isinstance(response, str):
        return None
    if not reasoning:
        return response
    idx = response.rfind(THINK_END)
    if idx < 0:
        return None
    return response[idx + len(THINK_END) :]


def response_status(
    response: str, finish_reason: str, reasoning: bool, truncated: str = "wrong"
) -> VerdictStatus | None:
    """Return the status that makes a response ungradable, or None when it can be graded.

    ``finish_reason == "length"`` gives "truncated" whatever the text holds (R1 protocol: a
    response cut at the token budget has no final answer), unless ``truncated == "grade"``
    (``harness.grading.convention``); a reasoning response with no ``</think>`` gives
    "unclosed_think".
    """
    if finish_reason == "length" and truncated != "grade":
        return "truncated"
    if not isinstance(response, str):
        return "error"
    if reasoning and response.rfind(THINK_END) < 0:
        return "unclosed_think"
    return None


def _last_box_start(text: str, end: int) -> tuple[int, int]:
    """Return (start of the command, index just after it) of the last box before ``end``."""
    b = text.rfind("\\boxed", 0, end)
    f = text.rfind("\\fbox", 0, end)
    if b < 0 and f < 0:
        return -1, -1
    if b > f:
        return b, b + len("\\boxed")
    return f, f + len("\\fbox")


def _braced(text: str, open_idx: int) -> str | None:
    """Content of the balanced group opening at ``text[open_idx] == "{"`` (escaped braces skip)."""
    end = _braced_end(text, open_idx)
    return None if end is None else text[open_idx + 1 : end - 1]


def _braced_end(text: str, open_idx: int) -> int | None:
    """Index just after the brace closing the group that opens at ``open_idx``, or None."""
    depth = 0
    i = open_idx
    limit = min(len(text), open_idx + MAX_BOX_CHARS + 2)
    while i < limit:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


_BARE_BOX = re.compile(r"\s+([^\s$]+)")


def last_boxed_span(text: str) -> tuple[int, str] | None:
    r"""Return (position, content) of the last well-formed ``\boxed{…}`` / ``\fbox{…}``.

    ``\boxed 5`` (no braces) is accepted as math-verify accepts it: the content runs to the next
    space or ``$``. An unbalanced or overlong last box is skipped and the previous one is tried.
    """
    if not isinstance(text, str):
        return None
    end = len(text)
    for _ in range(MAX_BOX_TRIES):
        start, after = _last_box_start(text, end)
        if start < 0:
            return None
        nxt = text[after : after + 1]
        content: str | None = None
        if nxt == "{":
            content = _braced(text, after)
        elif nxt.isspace():
            m = _BARE_BOX.match(text, after, min(len(text), after + MAX_BOX_CHARS))
            content = m.group(1) if m else None
        if content is not None and content.strip():
            return start, content.strip()
        end = start
    return None


def last_boxed(text: str) -> str | None:
    """Content of the last box in ``text`` (see ``last_boxed_span``), or None."""
    span = last_boxed_span(text)
    return span[1] if span else None


# Text allowed between two boxes that form one multi-part answer ("$x=\boxed{2}$ and
# $x=\boxed{-3}$"): delimiters, "x =", and one of , ; and or. Stricter than math-verify's own
# join (any text under 70 chars holding a comma), which would merge a corrected answer
# ("\boxed{5}. Hmm, wrong sign... \boxed{7}") with the one it corrects: the last box wins.
_JOIN = re.compile(
    r"[\s$]*(?:\\[)\]]\s*)?(?:,|;|and|or|,\s*and|,\s*or)?[\s$]*(?:\\[(\[]\s*)?"
    r"(?:[A-Za-z]\s*=\s*)?"
)
# How far back a window may reach for the box's opening delimiter ("Thus $x = \\boxed{…}").
LINE_BACK_CHARS = 200
MAX_JOINED_BOXES = 6  # math-verify joins at most 6 answers (its first_ + next1..5 groups)


def _group_start(text: str, start: int) -> int:
    """Start of the run of boxes ending with the box at ``start`` (see ``_JOIN``)."""
    for _ in range(MAX_JOINED_BOXES - 1):
        prev, after = _last_box_start(text, start)
        if prev < 0 or text[after : after + 1] != "{":
            break
        end = _braced_end(text, after)
        if end is None or end - prev > MAX_BOX_CHARS or not _JOIN.fullmatch(text, end, start):
            break
        start = prev
    return start


def _line_start(text: str, start: int) -> int:
    r"""Move ``start`` back to its line's start (so "$x=" before a box stays), never into a box.

    math-verify matches the enclosing ``$…$`` and joins "$x=\boxed{2}$ and $x=\boxed{3}$"
    through it, so the window must include the opening delimiter.
    """
    floor = max(0, start - LINE_BACK_CHARS, text.rfind("\n", 0, start) + 1)
    prev, after = _last_box_start(text, start)
    if prev < floor:
        return floor
    end = _braced_end(text, after) if text[after : after + 1] == "{" else None
    return min(start, end) if end is not None else start


def answer_window(final: str) -> str:
    r"""Cut a final section to the region a parser should see.

    With a box: from the start of the last box (or of the run of boxes it ends, see ``_JOIN``),
    at most ``MAX_PARSE_CHARS`` long. Without one: the last ``MAX_PARSE_CHARS`` characters.
    ``\fbox`` is written as ``\boxed`` so that math-verify's box patterns see it.
    """
    final = final.replace("\\fbox", "\\boxed")
    start, _ = _last_box_start(final, len(final))
    if start >= 0:
        s = _line_start(final, _group_start(final, start))
        return final[s : s + MAX_PARSE_CHARS]
    return final[-MAX_PARSE_CHARS:]


def prepare(
    response: str,
    finish_reason: str,
    reasoning: bool,
    answer_region: str = "after_think",
    truncated: str = "wrong",
) -> tuple[VerdictStatus | None, str]:
    """Status and parser window of a response: what a grading worker needs, small for IPC.

    Args:
        response: The generated text.
        finish_reason: "stop", "length" or "unknown".
        reasoning: True for R1-style models.
        answer_region: "after_think" (R1 rule) or "anywhere": read the whole response, as
            scripts that take the last box of the raw text do (``harness.grading.convention``).
        truncated: "wrong" (R1 rule) or "grade": grade a length-stopped response as final.

    Returns:
        (status, window): status is None when the response is gradable; window is "" otherwise.

    """
    try:
        reasoning = reasoning and answer_region != "anywhere"
        status = response_status(response, finish_reason, reasoning, truncated)
        if status is not None:
            return status, ""
        final = final_section(response, reasoning)
        if final is None:  # pragma: no cover - response_status catches it
            return "unclosed_think", ""
        return None, answer_window(final)
    except Exception:  # never raise: any surprise becomes an "error" verdict
        return "error", ""


# "Answer: C", "The answer is (C)", "**Answer:** C", "correct answer is **C**", "Answer: $C$",
# "\boxed{C}", "\boxed{\text{C}}", "\boxed{(C)}". The letter must stand alone (\b after it).
_LETTER = re.compile(
    r"(?:(?i:answer)(?:\s+(?i:choice|option))?(?:\s+(?i:is))?\s*[:：]?"
    r"|\\boxed\s*\{)"
    r"[\s*$({]*(?:\\text(?:bf|rm)?\s*\{)?[\s*(]*([A-D])\b"
)


def extract_letter(text: str) -> str | None:
    """Last answer letter A–D in the usual phrasings (last one wins), or None."""
    if not isinstance(text, str):
        return None
    letter = None
    for m in _LETTER.finditer(text[-MAX_PARSE_CHARS:]):
        letter = m.group(1)
    return letter
