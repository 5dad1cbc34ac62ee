#!/usr/bin/env bash
# Builds the static host binary dist/host/pyro-supervisor (CGO off): the per-VM supervisor that
# core starts for every running VM (host/cmd/pyro-supervisor, docs/internals.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/dist/host"
cd "$root/host"
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags='-s -w' -o "$root/dist/host/pyro-supervisor" ./cmd/pyro-supervisor
echo "built $root/dist/host/pyro-supervisor"
