# Common commands. `make setup && make demo && make test` on a fresh clone.
PY := .venv/bin/python
SHARED ?= ../shared/benchmarks

.PHONY: setup dryrun demo test lint bench
setup:
	python3 -m venv .venv && $(PY) -m pip install -e ".[dev]"

dryrun:
	.venv/bin/harness-eval experiment=dryrun

demo:
	$(PY) -m harness.data.oracle benchmark.source=$(SHARED)/math500/test.jsonl \
	    --n 4 --rate 0.7 --spread 0.3 --truncated 0.2 --out results/oracle_math500.jsonl
	.venv/bin/harness-eval benchmark.source=$(SHARED)/math500/test.jsonl \
	    backend=replay backend.path=results/oracle_math500.jsonl sampling.n=4

test:
	$(PY) -m pytest -q

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench:
	$(PY) benchmarks/bench_grading.py --n 6400 --workers 2 --timeout 5 --baseline 5fb72c0
