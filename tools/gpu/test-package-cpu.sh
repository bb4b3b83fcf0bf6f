#!/usr/bin/env bash
# End-to-end check of .gpu/ on a machine WITHOUT a GPU (the package's own CI stand-in):
#   1. unpacks .gpu/ into a fresh /tmp folder;
#   2. makes a PATH without dotnet (a folder of links to /usr/bin and /bin minus dotnet) and sets
#      DOTNET_ROOT to a folder that does not exist, so only the package's own runtime can run it;
#   3. builds a stand-in for PyTorch's torch/lib: links to the workbook's CPU libtorch 2.10 in the NuGet cache;
#   4. runs `workbook data` and `workbook train net1 --epochs 1 --subset 2000` from the package, and
#      `tools/gpu/run-on-gpu.sh` with a CPU configuration (data, a quick one-sided bench, one notebook
#      under the smoke profile), checking each exit code and the libtorch line.
# usage: tools/gpu/test-package-cpu.sh [NOTEBOOK]   (default 03-three-layer-from-scratch; "none" skips it)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PKG=${GPU_PACKAGE:-$ROOT/.gpu}
NOTEBOOK=${1:-03-three-layer-from-scratch}
[ -f "$PKG/workbook-linux-x64.tar.xz" ] || { echo "no $PKG/workbook-linux-x64.tar.xz: run tools/gpu/package.sh first" >&2; exit 1; }
PACKAGES=${NUGET_PACKAGES:-$HOME/.nuget/packages}
NATIVE=$(ls -d "$PACKAGES"/libtorch-cpu-linux-x64/*/runtimes/linux-x64/native 2>/dev/null | sort | tail -1)
[ -n "$NATIVE" ] || { echo "no libtorch-cpu-linux-x64 in $PACKAGES: run dotnet build once" >&2; exit 1; }

T=$(mktemp -d /tmp/workbook-gpu-test.XXXXXX)
echo "test-package-cpu: working in $T"
mkdir -p "$T/app" "$T/data" "$T/torch/lib" "$T/bin"
tar -xJf "$PKG/workbook-linux-x64.tar.xz" -C "$T/app"
tar -xJf "$PKG/fashion-mnist.tar.xz" -C "$T/data"
for f in "$NATIVE"/*; do ln -s "$f" "$T/torch/lib/"; done
for d in /usr/local/bin /usr/bin /bin; do
  for f in "$d"/*; do n=$(basename "$f"); [ "$n" = dotnet ] || [ -e "$T/bin/$n" ] || ln -s "$f" "$T/bin/$n"; done
done
export PATH="$T/bin" DOTNET_ROOT=/nonexistent-dotnet
unset DOTNET_HOST_PATH MSBuildSDKsPath MSBuildExtensionsPath 2>/dev/null || true
if command -v dotnet >/dev/null; then echo "FAIL: dotnet is still on PATH" >&2; exit 1; fi
export WORKBOOK_LIBTORCH="$T/torch/lib" FASHION_MNIST_DIR="$T/data" WORKBOOK_ROOT="$ROOT" WORKBOOK_RUNS_DIR="$T/runs"
W="$T/app/workbook"

check() { # NAME PATTERN LOG: the log must contain the pattern
  grep -q -- "$2" "$3" || { echo "FAIL: $1: '$2' not in $3"; tail -20 "$3"; exit 1; }
  echo "ok: $1"
}
s=$(date +%s); "$W" data --no-download > "$T/data.log" 2>&1 || { cat "$T/data.log"; echo "FAIL: workbook data"; exit 1; }
check "workbook data, $(( $(date +%s) - s )) s" "^libtorch 2.10.0 from $T/torch/lib, CPU build" "$T/data.log"
check "data from the package" "Fashion-MNIST from $T/data" "$T/data.log"
s=$(date +%s); "$W" train net1 --epochs 1 --subset 2000 --fresh > "$T/train.log" 2>&1 || { cat "$T/train.log"; echo "FAIL: workbook train"; exit 1; }
check "workbook train net1, $(( $(date +%s) - s )) s" "net1: test accuracy" "$T/train.log"

# run-on-gpu.sh itself, configured for this CPU (OUT in the temp folder; results/ of the checkout untouched).
NB=$([ "$NOTEBOOK" = none ] && echo "" || echo "$NOTEBOOK")
s=$(date +%s)
OUT="$T/out" WORKBOOK_DEVICE=cpu PYTHON=/usr/bin/python3 BUDGET_S=${BUDGET_S:-900} \
  STEPS="data bench notebooks" NOTEBOOKS="$NB" \
  BENCH_ARGS="--device cpu --quick --models net2 --no-python" RUN_ARGS="--profile smoke" \
  bash "$ROOT/tools/gpu/run-on-gpu.sh" > "$T/run-on-gpu.log" 2>&1 || { tail -30 "$T/run-on-gpu.log"; echo "FAIL: run-on-gpu.sh"; exit 1; }
check "run-on-gpu.sh, $(( $(date +%s) - s )) s: data" "step data: exit 0" "$T/out/summary.txt"
check "run-on-gpu.sh: bench" "step bench: exit 0" "$T/out/summary.txt"
[ -z "$NB" ] || check "run-on-gpu.sh: notebook $NB" "step notebook-$NB: exit 0" "$T/out/summary.txt"
[ -f "$T/out/bench-gpu.json" ] && echo "ok: bench JSON came back" || { echo "FAIL: no bench-gpu.json"; exit 1; }
echo "test-package-cpu: all passed; files back: $(ls "$T/out" | tr '\n' ' ')"
rm -rf "$T"
