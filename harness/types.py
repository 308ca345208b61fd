"""Frozen records that cross stage borders: data → backends → grading → metrics → store.

Every stage takes and returns these; no stage passes dicts of anything to another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

AnswerType = Literal["math", "integer", "choice", "refusal", "identity"]
"""How a gold answer is compared: free-form math (MATH-500, GSM8K), an integer (AIME, AMC),
or a multiple-choice letter (GPQA); behaviour probes (``refusal``, ``identity``) have no gold
answer: ``gold`` holds the probe's kind (sensitive, control, neutral, identity)."""

FinishReason = Literal["stop", "length", "content_filter", "unknown"]
"""``content_filter``: an API withheld or cut the answer (OpenAI-compatible finish reason)."""

VerdictStatus = Literal[
    "ok",  # an answer was extracted and compared
    "no_answer",  # the final section holds no extractable answer
    "unclosed_think",  # the response never closed its reasoning with </think>
    "truncated",  # generation hit the token limit (finish_reason == "length")
    "timeout",  # grading exceeded its per-response time limit
    "error",  # the grader failed on this text; recorded, never raised
]


@dataclass(frozen=True)
class Problem:
    """One benchmark item, as the model will see it and as it will be graded.

    Attributes:
        id: The dataset's own id (MATH-500 ``unique_id``, AIME ``id``, GPQA ``Record ID``) or,
            where the dataset has none, ``"<benchmark>-<row index>"``.
        question: Problem text without any instruction suffix; GPQA includes the lettered options.
        gold: Gold answer as a string: a LaTeX expression, an integer ("25", never "025"), or a
            letter "A"–"D".
        answer_type: How answers are compared.
        level: Difficulty level where the dataset has one (MATH levels 1–5), else None.
        subject: Subject or domain where the dataset has one.
        choices: GPQA only: the option texts in the presented (shuffled) order A, B, C, D.
    """

    id: str
    question: str
    gold: str
    answer_type: AnswerType
    level: int | None = None
    subject: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ToolVerdict:
    """The verdict another tool gave a sample in its own log, kept beside ours, never used.

    Attributes:
        tool: The tool that graded it (``inspect-ai``, ``evalscope``, …).
        correct: Its verdict (a score above its pass threshold), or None when it gave a score
            that is not a pass/fail.
        answer: The answer it extracted, when it logged one.
        score: Its raw score value, when it is a number.
        metric: The name of its metric or scorer.
    """

    tool: str
    correct: bool | None
    answer: str | None = None
    score: float | None = None
    metric: str | None = None


@dataclass(frozen=True)
class Completion:
    """One sampled response to one problem, from any backend (replay included).

    Attributes:
        problem_id: The ``Problem.id`` it answers.
        sample_index: 0-based index among the n samples of this problem.
        response: The generated text (for R1 models it starts inside the reasoning).
        finish_reason: "length" when the token limit cut it, "stop" when it ended by itself.
        prompt: The exact prompt text sent, where the backend knows it.
        n_prompt_tokens: Prompt length in tokens, where known.
        n_generated_tokens: Response length in tokens, where known.
        tool_verdict: An imported log's own verdict on this sample (never used for our
            metrics; ``harness-compare`` and the run's notes report where it differs).
    """

    problem_id: str
    sample_index: int
    response: str
    finish_reason: FinishReason = "unknown"
    prompt: str | None = None
    n_prompt_tokens: int | None = None
    n_generated_tokens: int | None = None
    tool_verdict: ToolVerdict | None = None


@dataclass(frozen=True)
class Verdict:
    """One grader's judgement of one response.

    Attributes:
        grader: Grader name, e.g. "math_verify" or "math_normalized".
        extracted: The final answer as extracted, or None when there is none.
        correct: Whether it matches the gold answer.
        status: Why the verdict is what it is (see ``VerdictStatus``).
    """

    grader: str
    extracted: str | None
    correct: bool
    status: VerdictStatus


@dataclass(frozen=True)
class GradedSample:
    """A completion with the verdicts of every grader; the first verdict is the primary one.

    Attributes:
        completion: The graded response.
        verdicts: One verdict per grader, primary grader first.
        vote_group: Id of the equivalence class of the extracted answer among this problem's
            samples (equivalent answers share an id), None when nothing was extracted. Used by
            majority voting (cons@n).
    """

    completion: Completion
    verdicts: tuple[Verdict, ...]
    vote_group: int | None = None

    @property
    def correct(self) -> bool:
        """Primary grader's verdict."""
        return self.verdicts[0].correct

    @property
    def extracted(self) -> str | None:
        """Primary grader's extracted answer."""
        return self.verdicts[0].extracted

    @property
    def disagreement(self) -> bool:
        """True when the graders do not all agree on correctness."""
        return len({v.correct for v in self.verdicts}) > 1


@dataclass(frozen=True)
class MetricValue:
    """A point estimate in percent with its 95 % bootstrap interval and the estimator's name."""

    value: float
    ci95: tuple[float, float]
    estimator: str
    n_problems: int
    n_samples: int


@dataclass(frozen=True)
class DatasetInfo:
    """What data a run actually used.

    Attributes:
        benchmark: Benchmark config name.
        source: Local file path or "hf://<id>@<revision>".
        source_sha256: sha256 of the bytes of the local file or of the downloaded hub files.
        problems_sha256: sha256 of the canonical JSON of the problems evaluated (after ``limit``
            and GPQA shuffling), so two runs on the same items have the same value.
        n_rows: Rows in the source.
        extra: Loader facts worth recording (GPQA shuffle seed, hub config and split).
    """

    benchmark: str
    source: str
    source_sha256: str
    problems_sha256: str
    n_rows: int
    extra: dict[str, str] = field(default_factory=dict)
