#!/usr/bin/env bash
# Build pyro's optional custom guest kernel (PYRO_KERNEL=custom): a PVH-bootable, all-built-in
# vmlinux from Debian's linux-source-6.1 (about 10 min on 2 cores). It boots about 1 s faster
# under TCG than Debian's prebuilt cloud kernel (debian.sh, the default), with acpi=off.
#
# usage: build.sh OUT_DIR
#   env PYRO_KERNEL_SOURCE_VERSION  Debian version of linux-source-6.1 to pin (default 6.1.192-3)
# outputs (only renamed into place once complete):
#   OUT_DIR/vmlinux            stripped ELF with the PVH (Xen 0x12) entry note
#   OUT_DIR/modules.cpio       an empty newc archive (no modules: the initramfs carries only the agent)
#   OUT_DIR/kernel-build.json  provenance: source version + sha256s, kernel release
#   OUT_DIR/config             the final .config, for reference
#   OUT_DIR/build.log          apt/make output (its tail is printed to stderr on failure)
# Needs: apt-get (with current lists), dpkg-deb, gcc, make, bison, flex, bc, libelf-dev, libssl-dev.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT=$HERE/pyro-guest.config
PKG=linux-source-6.1
WANT_VERSION=${PYRO_KERNEL_SOURCE_VERSION:-6.1.192-3}
OUT_DIR=$(realpath -m "$1")
LOG=$OUT_DIR/build.log
START=$SECONDS

mkdir -p "$OUT_DIR"
: > "$LOG"
# Work dir next to OUT_DIR (same filesystem, so the final mv is an atomic rename).
WORK=$(mktemp -d "$OUT_DIR.work.XXXXXX")
cleanup() {
  local rc=$?
  rm -rf "$WORK"
  rm -f "$OUT_DIR/.vmlinux.tmp" "$OUT_DIR/.kernel-build.json.tmp" "$OUT_DIR/.config.tmp" "$OUT_DIR/.modules.cpio.tmp"
  if [ $rc -ne 0 ]; then
    echo "[kernel] phase=failed rc=$rc log=$LOG; last lines:" >&2
    tail -n 40 "$LOG" >&2 || true
  fi
}
trap cleanup EXIT

phase() { echo "[kernel] phase=$1${2:+ $2} elapsed=$((SECONDS - START))s"; }

# Fixed build identity so /proc/version does not leak the build host's names.
export ARCH=x86_64 KBUILD_BUILD_USER=pyro KBUILD_BUILD_HOST=pyro

# --- download: the pinned version if apt still offers it, else the candidate (with a warning) ---
VERSION=$WANT_VERSION
if ! apt-cache madison "$PKG" 2>>"$LOG" | awk -F'|' '{gsub(/ /,"",$2); print $2}' | grep -qxF "$WANT_VERSION"; then
  VERSION=$(apt-cache policy "$PKG" 2>>"$LOG" | awk '/Candidate:/{print $2}')
  if [ -z "$VERSION" ] || [ "$VERSION" = "(none)" ]; then
    echo "[kernel] error: $PKG is not available from apt (run apt-get update?)" >&2; exit 1
  fi
  echo "[kernel] warning: $PKG=$WANT_VERSION not available from apt; using candidate $VERSION"
fi
phase download "package=$PKG version=$VERSION"
# apt-get download writes into the cwd; as root it warns about the _apt sandbox, which is harmless.
(cd "$WORK" && apt-get download "$PKG=$VERSION") >>"$LOG" 2>&1
DEB=$(ls "$WORK"/"${PKG}"_*.deb)
DEB_SHA=$(sha256sum "$DEB" | cut -d' ' -f1)

# --- extract: the .deb carries the patched tree as /usr/src/linux-source-6.1.tar.xz ---
phase extract
dpkg-deb --fsys-tarfile "$DEB" | tar -x -O --wildcards './usr/src/linux-source-*.tar.xz' | tar -xJ -C "$WORK"
rm -f "$DEB"
SRC=$(ls -d "$WORK"/linux-source-*/)
cd "$SRC"

# --- configure: tinyconfig + fragment, then check nothing was silently dropped ---
phase configure
FRAG_SHA=$(sha256sum "$FRAGMENT" | cut -d' ' -f1)
{
  make tinyconfig
  ./scripts/kconfig/merge_config.sh -m .config "$FRAGMENT"
  make olddefconfig
} >>"$LOG" 2>&1
missing=()
while IFS= read -r line; do
  sym=${line%%=*}; val=${line#*=}
  got=$(grep -E "^$sym=" .config || echo "not set")
  if [ "$val" = n ]; then
    if [ "$got" != "not set" ]; then missing+=("$line (got $got)"); fi
  elif [ "$got" != "$line" ]; then
    missing+=("$line (got $got)")
  fi
done < <(grep -E '^CONFIG_[A-Za-z0-9_]+=' "$FRAGMENT")
if [ ${#missing[@]} -gt 0 ]; then
  echo "[kernel] error: ${#missing[@]} fragment line(s) did not survive olddefconfig (unmet dependencies?):" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi

# --- compile: only vmlinux; QEMU microvm and Firecracker boot the ELF via its PVH entry ---
phase compile "jobs=$(nproc)"
make -j"$(nproc)" vmlinux >>"$LOG" 2>&1
RELEASE=$(make -s kernelrelease 2>>"$LOG")

# --- strip: 18 MB instead of ~60 MB; the PVH note must survive or -kernel cannot boot it ---
phase strip
strip -o "$OUT_DIR/.vmlinux.tmp" vmlinux
if ! readelf -n "$OUT_DIR/.vmlinux.tmp" | grep -Eq 'Xen[[:space:]].*(0x00000012|XEN_ELFNOTE_PHYS32_ENTRY)'; then
  echo "[kernel] error: stripped vmlinux lacks the Xen PVH entry note (0x12); is CONFIG_PVH set?" >&2
  exit 1
fi
VMLINUX_SHA=$(sha256sum "$OUT_DIR/.vmlinux.tmp" | cut -d' ' -f1)
cpio -o -H newc --quiet < /dev/null > "$OUT_DIR/.modules.cpio.tmp"
MODULES_SHA=$(sha256sum "$OUT_DIR/.modules.cpio.tmp" | cut -d' ' -f1)
cat > "$OUT_DIR/.kernel-build.json.tmp" <<EOF
{
  "flavor": "custom",
  "source_package": "$PKG",
  "source_version": "$VERSION",
  "source_deb_sha256": "$DEB_SHA",
  "config_fragment_sha256": "$FRAG_SHA",
  "kernel_release": "$RELEASE",
  "device_discovery": "cmdline",
  "modules": 0,
  "vmlinux_sha256": "$VMLINUX_SHA",
  "modules_cpio_sha256": "$MODULES_SHA"
}
EOF
cp .config "$OUT_DIR/.config.tmp"
# vmlinux first, metadata last: kernel-build.json present + vmlinux_sha256 matching == finished build.
mv "$OUT_DIR/.config.tmp" "$OUT_DIR/config"
mv "$OUT_DIR/.modules.cpio.tmp" "$OUT_DIR/modules.cpio"
mv "$OUT_DIR/.vmlinux.tmp" "$OUT_DIR/vmlinux"
mv "$OUT_DIR/.kernel-build.json.tmp" "$OUT_DIR/kernel-build.json"
phase done "release=$RELEASE vmlinux=$OUT_DIR/vmlinux bytes=$(stat -c %s "$OUT_DIR/vmlinux")"
