#!/usr/bin/env bash
# Runs once when the dev container is created: restore and build (CUDA backend when a GPU is
# visible), then fetch and verify Fashion-MNIST into data/fashion-mnist/.
set -euo pipefail
cd "$(dirname "$0")/.."

backend=cpu
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  backend=cuda
  echo "GPU found: $(nvidia-smi -L | head -n 1); building the CUDA backend"
fi
dotnet build Workbook.slnx -p:TorchBackend=$backend
dotnet run --project tools/Workbook --no-build -- data
echo "Ready. Open notebooks/ in VS Code and press 'Run All', or: dotnet run --project tools/Workbook -- run"
