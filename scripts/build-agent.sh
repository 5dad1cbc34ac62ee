#!/usr/bin/env bash
# Builds the static guest binaries (CGO off): dist/guest/pyro-agent (PID 1 of every guest)
# and dist/guest/ready-init (the bare-boot floor used by bench/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/dist/guest"
cd "$root/guest"
for cmd in pyro-agent ready-init; do
  CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags='-s -w' -o "$root/dist/guest/$cmd" "./cmd/$cmd"
done
echo "built $root/dist/guest/{pyro-agent,ready-init}"
