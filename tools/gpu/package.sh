#!/usr/bin/env bash
# Builds .gpu/, what a GPU machine with PyTorch but no .NET SDK and no network needs to run the workbook:
#   workbook-linux-x64.tar.xz  `dotnet publish` of tools/Workbook for linux-x64, self-contained (the .NET
#                              runtime inside), Release, WITHOUT a libtorch (-p:TorchBackend=external):
#                              at run time WORKBOOK_LIBTORCH names one, e.g. PyTorch's torch/lib.
#                              libLibTorchSharp.so stays (patched for Debian 12 where needed).
#   fashion-mnist.tar.xz       the four Fashion-MNIST files, uncompressed IDX inside xz (smaller than .gz).
#   MANIFEST.txt               commit, date, sizes and SHA-256 of both archives.
# The notebooks, bench/pytorch_reference.py and results/ are not packed: the device tool sends the
# repository's tracked files, and tools/gpu/run-on-gpu.sh unpacks .gpu/ beside them.
# .gpu/ is git-ignored; name it in the device tool's `carry`. Everything sent must fit 64 MiB, so this
# script fails when .gpu/ plus the tracked files exceed GPU_CARRY_LIMIT_MIB (default 64).
#
# usage: tools/gpu/package.sh [--out DIR] [--skip-data] [--fast]
#   --skip-data  keep an existing fashion-mnist.tar.xz (the data never changes)
#   --fast       xz -6 instead of -9e (quicker, about 2 MB larger); for local tests
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT_DIR="$ROOT/.gpu"
SKIP_DATA=0
XZ_LEVEL=-9e
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT_DIR=$(realpath -m "$2"); shift 2 ;;
    --skip-data) SKIP_DATA=1; shift ;;
    --fast) XZ_LEVEL=-6; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
LIMIT_MIB=${GPU_CARRY_LIMIT_MIB:-64}

command -v dotnet >/dev/null || { echo "package.sh: needs the .NET 10 SDK (dotnet) on this machine" >&2; exit 1; }
command -v xz >/dev/null || { echo "package.sh: needs xz (apt-get install xz-utils)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/workbook-package.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT_DIR"

# 1. A scratch copy of the sources (tracked and untracked-not-ignored files, so uncommitted edits count):
#    publishing with another TorchBackend would otherwise rewrite this checkout's restore state (obj/).
echo "package.sh: copying the sources to $WORK/src"
mkdir -p "$WORK/src"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$WORK/src")
COMMIT=$(cd "$ROOT" && git rev-parse HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- . && echo "" || echo "+uncommitted")

# 2. Publish: self-contained, no libtorch, English resources only, no symbol files.
echo "package.sh: dotnet publish (Release, linux-x64, self-contained, TorchBackend=external)"
dotnet publish "$WORK/src/tools/Workbook/Workbook.csproj" -c Release -r linux-x64 --self-contained \
  -p:TorchBackend=external -p:SatelliteResourceLanguages=en -p:DebugType=none \
  -o "$WORK/app" -nologo -v:q
APP="$WORK/app"
[ -f "$APP/workbook" ] && [ -f "$APP/Lib.dll" ] || { echo "package.sh: publish did not produce workbook and Lib.dll in $APP" >&2; exit 1; }
[ -f "$APP/libLibTorchSharp.so" ] || { echo "package.sh: libLibTorchSharp.so is missing from the publish output" >&2; exit 1; }
if ls "$APP" | grep -Eq '^(libtorch|libc10|libgomp)'; then
  echo "package.sh: the publish output carries a libtorch ($(ls "$APP" | grep -E '^(libtorch|libc10|libgomp)' | tr '\n' ' ')); TorchBackend=external should leave it out" >&2
  exit 1
fi

# 3. The app archive (temp file, then rename).
echo "package.sh: compressing the app ($(du -sh "$APP" | cut -f1)) with xz $XZ_LEVEL"
tar -C "$APP" -cf - . | xz "$XZ_LEVEL" -T2 > "$OUT_DIR/workbook-linux-x64.tar.xz.tmp"
mv "$OUT_DIR/workbook-linux-x64.tar.xz.tmp" "$OUT_DIR/workbook-linux-x64.tar.xz"

# 4. The data, where the workbook finds it: FASHION_MNIST_DIR, data/fashion-mnist, the Debian package.
if [ "$SKIP_DATA" = 1 ] && [ -f "$OUT_DIR/fashion-mnist.tar.xz" ]; then
  echo "package.sh: keeping $OUT_DIR/fashion-mnist.tar.xz"
else
  DATA=""
  for d in "${FASHION_MNIST_DIR:-}" "$ROOT/data/fashion-mnist" /usr/share/datasets/fashion-mnist; do
    [ -n "$d" ] && [ -e "$d/train-images-idx3-ubyte.gz" -o -e "$d/train-images-idx3-ubyte" ] && { DATA=$d; break; }
  done
  [ -n "$DATA" ] || { echo "package.sh: Fashion-MNIST not found; run 'workbook data' first (or set FASHION_MNIST_DIR)" >&2; exit 1; }
  mkdir -p "$WORK/data"
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    if [ -f "$DATA/$f.gz" ]; then gunzip -c "$DATA/$f.gz" > "$WORK/data/$f"; else cp "$DATA/$f" "$WORK/data/$f"; fi
  done
  echo "package.sh: compressing Fashion-MNIST from $DATA with xz $XZ_LEVEL"
  tar -C "$WORK/data" -cf - . | xz "$XZ_LEVEL" -T2 > "$OUT_DIR/fashion-mnist.tar.xz.tmp"
  mv "$OUT_DIR/fashion-mnist.tar.xz.tmp" "$OUT_DIR/fashion-mnist.tar.xz"
fi

# 5. Manifest and the size check against the device tool's limit.
TREE_BYTES=$(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
PKG_BYTES=$(du -cb "$OUT_DIR"/*.tar.xz | tail -1 | cut -f1)
{
  echo "workbook GPU package"
  echo "commit: $COMMIT"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n) with dotnet $(dotnet --version)"
  echo "TorchSharp 0.107.0 (compiled against libtorch 2.10); no libtorch inside: set WORKBOOK_LIBTORCH"
  for f in "$OUT_DIR"/*.tar.xz; do echo "$(basename "$f"): $(stat -c %s "$f") bytes, sha256 $(sha256sum "$f" | cut -d' ' -f1)"; done
  echo "repository files sent beside it: $TREE_BYTES bytes"
} > "$OUT_DIR/MANIFEST.txt.tmp"
mv "$OUT_DIR/MANIFEST.txt.tmp" "$OUT_DIR/MANIFEST.txt"
cat "$OUT_DIR/MANIFEST.txt"
TOTAL=$((TREE_BYTES + PKG_BYTES))
echo "package.sh: $OUT_DIR holds $((PKG_BYTES / 1048576)) MiB; with the repository's files $((TOTAL / 1048576)) MiB of the ${LIMIT_MIB} MiB the device tool carries"
if [ "$TOTAL" -gt $((LIMIT_MIB * 1048576)) ]; then
  echo "package.sh: too large for the device tool's ${LIMIT_MIB} MiB limit" >&2
  exit 1
fi
