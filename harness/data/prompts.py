"""Instruction texts appended to the problem by the prompt stage (which lives elsewhere).

Kept here, next to the data they are written for, so a benchmark definition reads in one place.
"""

MATH_INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."
"""DeepSeek-R1 README, "Usage Recommendations": "For mathematical problems, it is advisable to
include a directive in your prompt such as: 'Please reason step by step, and put your final answer
within \\boxed{}.'" Used for MATH-500, AIME, AMC and GSM8K. The same sentence is the suffix the QwQ
AIME files already carry (``benchmark.strip_suffix`` removes it there so it is not doubled)."""

GPQA_INSTRUCTION = (
    "Please reason step by step, and put the letter of your final answer (A, B, C or D) "
    "within \\boxed{}."
)
"""Not stated by DeepSeek (the paper and README give no GPQA prompt). We keep the R1 math
directive's wording and ask for the letter in ``\\boxed{}`` so that one extractor (the last box
after ``</think>``) serves every benchmark, instead of simple-evals' "Answer: $LETTER" line, and
list the allowed letters so the box does not hold the option text. The options themselves are
part of ``Problem.question`` (simple-evals layout "A) ...")."""
