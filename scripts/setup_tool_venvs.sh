#!/usr/bin/env bash
# Create .venv-tools/<tool>/: one virtual environment per third-party evaluation tool whose log
# format we import, so that the tests can run the tool itself and import the file it writes
# (tests/integration/test_tool_logs_*.py; they skip when the venv is absent). Their pins clash
# with ours (lighteval 0.13 pins its own transformers/datasets), hence one venv each.
#
# torch is never pulled from an index by these installs: where a tool needs it, the CPU build
# (torch==2.13.0, found in pip's configured find-links here; elsewhere set
# PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu) is installed first and kept.
#
# Usage: bash scripts/setup_tool_venvs.sh [TOOL ...]   (default: all; idempotent: a venv whose
# check import succeeds is kept, so CI can cache .venv-tools/ between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=.venv-tools
# tool -> pip requirements (pinned: the formats' docstrings state these versions) and check import
# lighteval 0.13.0 with huggingface_hub<1 and transformers<5: its mt_bench task module calls
# HfApi.list_models(model_name=...) at import of the task registry, an argument huggingface_hub 1.x
# removed (TypeError for every task); hub 0.x returns a lazy generator there, so nothing is fetched.
# xxhash<4: lighteval 0.13 hashes str queries (logging/info_loggers.py), which xxhash 4 refuses.
# inspect-evals 0.26.0, not 0.28.0: 0.28 requires inspect-evals-utils, which PyPI here lacks.
declare -A REQS=(
    [inspect]="inspect-ai==0.3.285 inspect-evals==0.26.0"
    [lighteval]="torch==2.13.0 lighteval==0.13.0 huggingface_hub<1 transformers<5 xxhash<4"
    [evalscope]="evalscope==1.14.1"
)
declare -A CHECK=(
    [inspect]="import inspect_ai, inspect_evals"
    [lighteval]="import lighteval, torch"
    [evalscope]="import evalscope"
)
tools=("$@")
[ ${#tools[@]} -eq 0 ] && tools=(inspect lighteval evalscope)
for tool in "${tools[@]}"; do
    venv="$ROOT/$tool"
    py="$venv/bin/python"
    start=$(date +%s)
    if [ -x "$py" ] && "$py" -c "${CHECK[$tool]}" 2>/dev/null; then
        echo "setup_tool_venvs: $venv already set up"
        continue
    fi
    rm -rf "$venv"
    mkdir -p "$ROOT"
    python3.11 -m venv "$venv" 2>/dev/null || python3 -m venv "$venv"
    "$py" -m pip install -q --upgrade pip
    # shellcheck disable=SC2086
    "$py" -m pip install -q ${REQS[$tool]}
    if [ "$tool" = lighteval ]; then
        # lighteval 0.13 downloads tinyBenchmarks.pkl from GitHub when its task registry is
        # imported (tasks/tasks/tiny_benchmarks.py, download(): skipped when the file exists);
        # offline that fails for every task. An empty placeholder stops the download; only the
        # tinyBenchmarks tasks read it.
        site=$("$py" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
        touch "$site/lighteval/tasks/tasks/tinyBenchmarks.pkl"
    fi
    "$py" -c "${CHECK[$tool]}"
    echo "setup_tool_venvs: $venv ready in $(( $(date +%s) - start )) s"
done
