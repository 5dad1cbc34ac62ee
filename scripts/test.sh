#!/usr/bin/env bash
# The whole test suite: lint, types, Go agent tests, unit tests, then guest-backed integration
# tests (real microVMs; they need `scripts/setup.sh` first). PYRO_TEST_REQUIRE_GUEST=1 (CI)
# turns a guest test that cannot boot into a failure instead of a skip.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
npm run --silent lint
npm run --silent typecheck
npm run --silent build
(cd guest && go vet ./... && go test ./...)
npx vitest run --project unit
npx vitest run --project integration
