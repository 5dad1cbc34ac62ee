#!/usr/bin/env bash
# One command for a fresh Debian 12 / Ubuntu host: system packages, npm deps, the guest agent,
# the default environment (kernel + rootfs, built locally from Debian packages), then a real
# microVM: `pyro run debian:12 -- git --version`.
# Environments to install: PYRO_SETUP_ENVIRONMENTS (default "debian:12").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

echo "[setup] phase=packages"
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  qemu-system-x86 qemu-utils mmdebstrap e2fsprogs util-linux ca-certificates \
  bison flex bc libelf-dev libssl-dev make gcc libc6-dev xz-utils binutils iproute2 nftables >/dev/null
command -v go >/dev/null || $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || {
  echo "setup: Node.js >= 20 is required (found $(node --version 2>/dev/null || echo none))" >&2
  exit 1
}

echo "[setup] phase=npm"
npm ci --no-audit --no-fund --loglevel=error
echo "[setup] phase=build"
npm run --silent build

for env in ${PYRO_SETUP_ENVIRONMENTS:-debian:12}; do
  echo "[setup] phase=environment environment=$env"
  node dist/cli/main.js env pull "$env"
done
echo "[setup] phase=run"
node dist/cli/main.js run debian:12 -- git --version
