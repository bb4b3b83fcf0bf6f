#!/usr/bin/env bash
# Runs ON the GPU machine, from the repository root, after tools/gpu/package.sh built .gpu/ (carried):
# unpacks the self-contained workbook and the data to /tmp, points WORKBOOK_LIBTORCH at python3's
# PyTorch (torch/lib), then runs, each within what is left of BUDGET_S:
#   data       `workbook data` (loads libtorch, checks it, prints the device)
#   bench      `workbook bench $BENCH_ARGS` (default --gpu: TorchSharp against PyTorch eager on the GPU)
#   notebooks  `workbook run notebooks/NAME.ipynb $RUN_ARGS` for each NAME in $NOTEBOOKS
# and packs what it made into $OUT (at most 8 files, none in sub-folders, for the device tool):
#   summary.txt (versions, GPU, per-step exit codes and wall times), bench-gpu.json, bench-gpu.txt,
#   logs.tar.gz, results.tar.xz (results/ and the reports' JSON), reports.tar.xz (executed notebooks and
#   HTML), runs.tar.xz (the run cache, to carry into a second call) when each is under 16 MiB.
# Settings (environment): OUT (default .gpu-out), BUDGET_S (default 540: keep the device call's timeout_s
# above it), STEPS (default "data bench notebooks"), NOTEBOOKS (default "07-googlenet-resnet
# 05-five-class-cnn-ablations 06-latent-clustering": the runs a CPU cannot do first), BENCH_ARGS (default "--gpu --repeats 2"), RUN_ARGS (default "--profile paper
# --publish"), PYTHON (default python3), GPU_PACKAGE (default .gpu), RUNS_IN (a runs.tar.xz from an
# earlier call to start from).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PKG=${GPU_PACKAGE:-$ROOT/.gpu}
OUT=${OUT:-$ROOT/.gpu-out}
BUDGET_S=${BUDGET_S:-540}
STEPS=${STEPS:-data bench notebooks}
NOTEBOOKS=${NOTEBOOKS:-07-googlenet-resnet 05-five-class-cnn-ablations 06-latent-clustering}
BENCH_ARGS=${BENCH_ARGS:---gpu --repeats 2}
RUN_ARGS=${RUN_ARGS:---profile paper --publish}
PY=${PYTHON:-python3}
PACK_RESERVE_S=45   # seconds kept back for packing the results
START=$(date +%s)
WORK=/tmp/workbook-gpu
LOGS=$WORK/logs
mkdir -p "$OUT" "$LOGS"
SUMMARY=$LOGS/summary.txt
: > "$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
left() { echo $(( BUDGET_S - ($(date +%s) - START) - PACK_RESERVE_S )); }

# One step: runs "$@" with what is left of the budget, logs to $LOGS/NAME.log, records exit code and seconds.
step() {
  local name=$1; shift
  local t; t=$(left)
  if [ "$t" -lt 20 ]; then say "step $name: skipped, ${t}s left of the budget"; return 0; fi
  local s; s=$(date +%s)
  echo "== $name: $* (limit ${t}s)"
  timeout -k 10 "$t" "$@" > "$LOGS/$name.log" 2>&1
  local rc=$?
  tail -n 40 "$LOGS/$name.log"
  say "step $name: exit $rc$([ $rc = 124 ] && echo ' (stopped at the budget)'), $(( $(date +%s) - s )) s wall: $*"
  return 0
}

say "run-on-gpu.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n), budget ${BUDGET_S}s"
[ -f "$PKG/workbook-linux-x64.tar.xz" ] && [ -f "$PKG/fashion-mnist.tar.xz" ] || {
  say "error: $PKG lacks workbook-linux-x64.tar.xz or fashion-mnist.tar.xz: run tools/gpu/package.sh where the .NET SDK is, and carry .gpu"
  cp "$SUMMARY" "$OUT/summary.txt"; exit 1; }
[ -f "$PKG/MANIFEST.txt" ] && sed 's/^/  /' "$PKG/MANIFEST.txt" | tee -a "$SUMMARY"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | sed 's/^/gpu: /' | tee -a "$SUMMARY"

# Unpack (a few seconds): the app, the data, and Lib.dll where the notebooks' `#r "../bin/lib/Lib.dll"` looks.
rm -rf "$WORK/app" "$WORK/fashion-mnist"
mkdir -p "$WORK/app" "$WORK/fashion-mnist" "$ROOT/bin/lib"
# xz-utils is only "standard" priority: without the xz program, Python's lzma module unpacks.
unxz_tar() { # ARCHIVE DEST
  if command -v xz >/dev/null; then tar -xJf "$1" -C "$2"
  else "$PY" -c 'import sys,tarfile; tarfile.open(sys.argv[1], "r:xz").extractall(sys.argv[2])' "$1" "$2"; fi
}
unxz_tar "$PKG/workbook-linux-x64.tar.xz" "$WORK/app"
unxz_tar "$PKG/fashion-mnist.tar.xz" "$WORK/fashion-mnist"
# (A checkout with its own build keeps it: the runner uses its own Lib.dll for that line either way.)
[ -f "$ROOT/bin/lib/Lib.dll" ] || cp "$WORK/app/Lib.dll" "$ROOT/bin/lib/Lib.dll"
RUNS=${WORKBOOK_RUNS_DIR:-$ROOT/runs}
if [ -n "${RUNS_IN:-}" ] && [ -f "$RUNS_IN" ]; then mkdir -p "$RUNS" && unxz_tar "$RUNS_IN" "$RUNS" && say "runs restored from $RUNS_IN"; fi

say "python: $(command -v "$PY") $("$PY" -c 'import torch,sys;print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1)"
# A WORKBOOK_LIBTORCH or WORKBOOK_DEVICE already set wins (tools/gpu/test-package-cpu.sh runs this script on a CPU).
if [ -z "${WORKBOOK_LIBTORCH:-}" ]; then
  export WORKBOOK_LIBTORCH="$("$PY" -c 'import torch,os;print(os.path.dirname(torch.__file__))' 2>>"$LOGS/python.log")/lib"
fi
export WORKBOOK_DEVICE=${WORKBOOK_DEVICE:-cuda}   # fail rather than train on the CPU
export WORKBOOK_ROOT="$ROOT"
export FASHION_MNIST_DIR="$WORK/fashion-mnist"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Without ICU the .NET runtime refuses to start; the workbook formats with the invariant culture anyway.
ldconfig -p 2>/dev/null | grep -q libicuuc || export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
say "WORKBOOK_LIBTORCH=$WORKBOOK_LIBTORCH"
W="$WORK/app/workbook"

for s in $STEPS; do
  case "$s" in
    data) step data "$W" data --no-download ;;
    bench) # shellcheck disable=SC2086
      step bench "$W" bench $BENCH_ARGS --python "$(command -v "$PY")" --out "$WORK/bench-gpu.json" ;;
    notebooks)
      for nb in $NOTEBOOKS; do
        # shellcheck disable=SC2086
        step "notebook-$nb" "$W" run "notebooks/$nb.ipynb" $RUN_ARGS --out "$WORK/reports"
      done ;;
    *) say "unknown step '$s' (data, bench, notebooks)" ;;
  esac
done

# Pack: at most 8 files in $OUT, each under 16 MiB.
pack() { # NAME then tar arguments; keeps the archive only when it is under 16 MiB
  local name=$1; shift
  local z=-J; command -v xz >/dev/null || z=-z   # gzip inside when there is no xz (the name stays)
  tar $z -cf "$OUT/$name" "$@" 2>/dev/null || { rm -f "$OUT/$name"; return; }
  if [ "$(stat -c %s "$OUT/$name")" -gt 16000000 ]; then say "$name: over 16 MB, left out"; rm -f "$OUT/$name"; fi
}
grep -h "^libtorch \|device " "$LOGS/data.log" 2>/dev/null | head -2 | sed 's/^/workbook: /' >> "$SUMMARY"
[ -f "$WORK/bench-gpu.json" ] && cp "$WORK/bench-gpu.json" "$OUT/bench-gpu.json"
[ -f "$LOGS/bench.log" ] && sed -n '/^workbook bench (/,$p' "$LOGS/bench.log" > "$OUT/bench-gpu.txt"
[ -s "$OUT/bench-gpu.txt" ] || rm -f "$OUT/bench-gpu.txt"
[ -d "$ROOT/results" ] && pack results.tar.xz -C "$ROOT" results
if [ -d "$WORK/reports" ]; then
  pack reports.tar.xz -C "$WORK" reports
  [ -f "$OUT/reports.tar.xz" ] || pack reports.tar.xz --exclude='*.html' -C "$WORK" reports
fi
[ -d "$RUNS" ] && pack runs.tar.xz -C "$RUNS" .
say "total $(( $(date +%s) - START )) s"
cp "$SUMMARY" "$OUT/summary.txt"
tar -czf "$OUT/logs.tar.gz" -C "$WORK" logs
ls -la "$OUT"
