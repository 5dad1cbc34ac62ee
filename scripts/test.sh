#!/usr/bin/env bash
# The whole test suite: lint, types, Go agent tests, unit tests, then guest-backed integration
# tests (real microVMs; they need `scripts/setup.sh` first). Guest tests are never skipped: one
# that cannot boot a guest fails and says what is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
npm run --silent lint
npm run --silent typecheck
npm run --silent build
(cd guest && go vet ./... && go test ./...)
(cd host && go vet ./... && go test ./...)
npx vitest run --project unit
npx vitest run --project integration
