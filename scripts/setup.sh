#!/usr/bin/env bash
# One command for a fresh Debian 12 / Ubuntu host: system packages, npm deps, the build (CLI and
# guest agent), the default environment (Debian's prebuilt cloud kernel + a rootfs built locally
# from Debian packages), the KVM/TCG probe, a real microVM (`pyro run debian:12 -- git
# --version`), then the other catalog environments, which the test suite uses.
# PYRO_KERNEL=custom also installs what compiling pyro's own kernel needs (about 10 min more).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
start=$SECONDS
phase() { echo "[setup] phase=$1${2:+ $2} elapsed=$((SECONDS - start))s"; }

phase packages
packages=(qemu-system-x86 qemu-utils mmdebstrap e2fsprogs util-linux ca-certificates cpio lz4 zstd
  xz-utils binutils iproute2 nftables
  # tests only: a real OCI registry on 127.0.0.1 and a static shell for the test's container images
  docker-registry busybox-static)
if [ "${PYRO_KERNEL:-debian}" = custom ]; then
  packages+=(bison flex bc libelf-dev libssl-dev make gcc libc6-dev)
fi
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
command -v go >/dev/null || $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || {
  echo "setup: Node.js >= 20 is required (found $(node --version 2>/dev/null || echo none))" >&2
  exit 1
}

phase npm
npm ci --no-audit --no-fund --loglevel=error
phase build
npm run --silent build

pyro() { node dist/cli/main.js "$@"; }
phase environment "environment=debian:12"
pyro env pull debian:12
# The KVM probe boot runs once per host and is cached, so no later `pyro run` pays for it.
phase probe
pyro doctor || true
phase run
pyro run debian:12 -- git --version
for env in debian:12-base debian:12-build; do
  phase environment "environment=$env (used by the test suite)"
  pyro env pull "$env"
done
phase done
